/**
 * A module's weights: the parameters its options call for (names and shapes from src/config.ts,
 * `expectedParameters`), checked like `load_state_dict(strict=True)` — each missing, misshaped or
 * unexpected one is an error naming the key — then converted exactly to the compute dtype
 * (float16 / bfloat16 / float8 upcast without rounding).
 */
import { expectedParameters, isCell, numDirections, paramName, type ParamKind } from '../config.js';
import { isFloatDType, type FloatDType } from '../dtype.js';
import type { FloatArray, LayerWeights, StackWeights } from '../engine/types.js';
import { badArgument, fail } from '../errors.js';
import { parseParamName } from '../state-dict/names.js';
import { formatShape, toFloat, Tensor } from '../tensor.js';
import type { ResolvedOptions } from './options.js';

/** Weights as a state_dict-like map or a plain object, keyed by PyTorch parameter names. */
export type Weights = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** Checked weights: the parameters by PyTorch name (original tensors) and the engine's arrays. */
export interface CheckedWeights {
  readonly dtype: FloatDType;
  readonly parameters: ReadonlyMap<string, Tensor>;
  readonly stack: StackWeights;
}

/** `weights` as a Map (a plain object's entries). */
export function weightsMap(weights: Weights): ReadonlyMap<string, Tensor> {
  return weights instanceof Map ? weights : new Map(Object.entries(weights));
}

/**
 * The parameters `expected` (names without prefix, shapes) taken from `map` at `prefix`, as
 * load_state_dict(strict=True) checks them: a missing key is E_MISSING_PARAMETER, another shape
 * E_PARAMETER_SHAPE, a non-float dtype E_DTYPE_UNSUPPORTED; each error names the key.
 */
export function takeParameters(
  map: ReadonlyMap<string, Tensor>,
  prefix: string,
  expected: readonly { readonly name: string; readonly shape: readonly number[]; readonly meaning: string }[],
): Map<string, Tensor> {
  const parameters = new Map<string, Tensor>();
  for (const e of expected) {
    const key = prefix + e.name;
    const t = map.get(key);
    if (t === undefined) throw fail('E_MISSING_PARAMETER', { what: `parameter ${key}`, expected: `shape ${formatShape(e.shape)} (${e.meaning})`, got: 'no such key', at: key });
    if (!(t instanceof Tensor)) throw badArgument(`parameter ${key}`, 'a Tensor', t);
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      throw fail('E_PARAMETER_SHAPE', { what: `shape of ${key}`, expected: `${formatShape(e.shape)} (${e.meaning})`, got: formatShape(t.shape), at: key });
    }
    if (!isFloatDType(t.dtype)) throw fail('E_DTYPE_UNSUPPORTED', { what: `dtype of ${key}`, expected: 'a floating-point dtype', got: t.dtype, at: key });
    parameters.set(e.name, t);
  }
  return parameters;
}

/** The compute dtype: the one asked for, else float64 when every parameter is float64 (and there is one), else float32. */
export function computeDType(requested: FloatDType | undefined, parameters: Iterable<Tensor>): FloatDType {
  if (requested !== undefined) return requested;
  const list = [...parameters];
  return list.length > 0 && list.every((t) => t.dtype === 'float64') ? 'float64' : 'float32';
}

/** Checks `weights` against the options and converts them to the compute dtype. */
export function checkWeights(o: ResolvedOptions, weights: Weights): CheckedWeights {
  if (typeof weights !== 'object' || weights === null) throw badArgument(`new ${o.kind}(options, weights)`, 'weights: a Map or an object of PyTorch name → Tensor', weights);
  const cell = isCell(o.kind);
  const map = weightsMap(weights);
  const expected = expectedParameters(o.kind, o);
  const parameters = takeParameters(map, o.prefix, expected);
  const names = new Set(expected.map((e) => e.name));
  for (const key of map.keys()) {
    const p = parseParamName(key);
    if (p === null || p.prefix !== o.prefix) continue;
    if ((p.layer === null) !== cell) continue;
    const name = key.slice(o.prefix.length);
    if (!names.has(name)) {
      throw fail('E_UNEXPECTED_PARAMETER', { what: `parameter ${key}`, expected: `only ${[...names].join(', ')}`, got: 'an extra key', at: key });
    }
  }
  const dtype = computeDType(o.dtype, parameters.values());
  const D = numDirections(o);
  const layers: LayerWeights[] = [];
  const get = (kind: ParamKind, layer: number, dir: number): FloatArray | null => {
    const t = parameters.get(paramName(kind, cell ? null : layer, dir === 1));
    return t === undefined ? null : toFloat(t, dtype);
  };
  for (let layer = 0; layer < o.numLayers; layer++) {
    for (let dir = 0; dir < D; dir++) {
      layers.push({
        wIh: get('weight_ih', layer, dir) as FloatArray,
        wHh: get('weight_hh', layer, dir) as FloatArray,
        bIh: get('bias_ih', layer, dir),
        bHh: get('bias_hh', layer, dir),
        wHr: get('weight_hr', layer, dir),
      });
    }
  }
  return { dtype, parameters, stack: { dtype, layers } };
}
