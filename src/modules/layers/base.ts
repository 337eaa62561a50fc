/**
 * What the layers around a recurrent module share (nn.Embedding, nn.Linear, nn.LayerNorm): the
 * runtime options of every module (dtype, engine, simd, prefix: options.ts), their parameters
 * checked like load_state_dict(strict=True) and converted exactly to the compute dtype, the
 * engine the options chose, `stateDict()` and disposal.
 */
import type { EngineChoice, LayerKind, LayerParameter, SimdOption } from '../../config.js';
import type { FloatDType } from '../../dtype.js';
import type { Engine, FloatArray } from '../../engine/types.js';
import { badArgument, fail } from '../../errors.js';
import { formatShape, Tensor } from '../../tensor.js';
import { checkFromStateDictArgs, type StateDictLike } from '../discover.js';
import { selectEngine } from '../engine-select.js';
import { resolveRuntimeOptions, type RuntimeOptions } from '../options.js';
import { computeDType, takeParameters, weightsMap, type Weights } from '../weights.js';

/** Options every layer takes besides its sizes. */
export interface LayerCommonOptions {
  /** Compute dtype, fixed at creation. @defaultValue 'float64' when every weight is float64, else 'float32' */
  readonly dtype?: FloatDType;
  /** @defaultValue 'auto' */
  readonly engine?: EngineChoice;
  /** Fast engine's kernel build (see CommonOptions). @defaultValue 'auto' */
  readonly simd?: SimdOption;
  /** Key prefix of the weights (`head.` ≡ `head`). @defaultValue '' */
  readonly prefix?: string;
}

/** A layer's checked runtime options and parameters, in the compute dtype. */
export interface PreparedLayer {
  readonly runtime: RuntimeOptions;
  readonly dtype: FloatDType;
  /** By PyTorch name (`weight`, `bias`), converted to the compute dtype. */
  readonly parameters: ReadonlyMap<string, Tensor>;
}

/**
 * Checks a layer's runtime options and its `expected` parameters in `weights` (each missing or
 * misshaped one an error naming its key; a `weight` / `bias` the layer does not have is
 * E_UNEXPECTED_PARAMETER) and converts them to the compute dtype.
 */
export function prepareLayer(kind: LayerKind, options: LayerCommonOptions, weights: Weights, expected: readonly LayerParameter[]): PreparedLayer {
  const runtime = resolveRuntimeOptions(options);
  if (typeof weights !== 'object' || weights === null) throw badArgument(`new ${kind}(options, weights)`, 'weights: a Map or an object of PyTorch name → Tensor', weights);
  const map = weightsMap(weights);
  const taken = takeParameters(map, runtime.prefix, expected);
  for (const name of ['weight', 'bias']) {
    const key = runtime.prefix + name;
    if (!taken.has(name) && map.has(key)) {
      const has = expected.map((e) => e.name).join(', ');
      throw fail('E_UNEXPECTED_PARAMETER', { what: `parameter ${key}`, expected: has === '' ? `no parameters (this ${kind})` : `only ${has}`, got: 'an extra key', at: key });
    }
  }
  const dtype = computeDType(runtime.dtype, taken.values());
  return { runtime, dtype, parameters: new Map([...taken].map(([name, t]) => [name, t.to(dtype)])) };
}

/** The runtime options of a `fromStateDict` call, its arguments checked (E_BAD_ARGUMENT) and its prefix normalized. */
export function layerFromStateDictArgs(kind: LayerKind, sd: StateDictLike, options: LayerCommonOptions): LayerCommonOptions & { readonly prefix: string } {
  checkFromStateDictArgs(`${kind}.fromStateDict`, sd, options);
  const { prefix, dtype, engine, simd } = options;
  return { prefix: resolveRuntimeOptions(prefix === undefined ? {} : { prefix }).prefix, ...(dtype !== undefined && { dtype }), ...(engine !== undefined && { engine }), ...(simd !== undefined && { simd }) };
}

/**
 * `<prefix>weight` of a state_dict, whose shape gives a layer's sizes: E_MISSING_PARAMETER when
 * absent (`expected` says what the layer needs, `orElse` what else would do), E_PARAMETER_SHAPE
 * when its rank is not `expected`'s (`rank` 0: any rank ≥ 1).
 */
export function weightAt(sd: StateDictLike, prefix: string, rank: number, expected: string, orElse = ''): Tensor {
  const key = `${prefix}weight`;
  const t = sd.get(key);
  if (t === undefined) throw fail('E_MISSING_PARAMETER', { what: `parameter ${key}`, expected: `a weight ${expected}${orElse}`, got: 'no such key', at: key });
  if (!(t instanceof Tensor)) throw badArgument(`parameter ${key}`, 'a Tensor', t);
  if (rank === 0 ? t.ndim === 0 : t.ndim !== rank) throw fail('E_PARAMETER_SHAPE', { what: `shape of ${key}`, expected, got: formatShape(t.shape), at: key });
  return t;
}

/** What Embedding, Linear and LayerNorm share. */
export abstract class LayerBase {
  /** The torch.nn class this layer reproduces. */
  readonly kind: LayerKind;
  /** The compute dtype; inputs (other than Embedding's indices) must have it. */
  readonly dtype: FloatDType;
  /** The engine the options chose (Embedding and LayerNorm run the same code on both: see their TSDoc). */
  readonly engine: 'reference' | 'fast';
  /** The fast engine's kernel build, or `none` on the reference engine. */
  readonly simd: 'relaxed' | 'plain' | 'none';
  /** Where the weights sat in the state_dict ('' or ending in a dot). */
  readonly prefix: string;
  /** The engine object the options chose. */
  protected readonly selected: Engine;
  private readonly parameters: ReadonlyMap<string, Tensor>;
  private disposed = false;

  protected constructor(kind: LayerKind, layer: PreparedLayer) {
    const engine = selectEngine(layer.runtime.engine, layer.runtime.simd);
    this.selected = engine;
    this.kind = kind;
    this.dtype = layer.dtype;
    this.engine = engine.name;
    this.simd = engine.simd;
    this.prefix = layer.runtime.prefix;
    this.parameters = layer.parameters;
  }

  /** A parameter's values in the compute dtype, or null when the layer does not have it. */
  protected parameter(name: 'weight' | 'bias'): FloatArray | null {
    return (this.parameters.get(name)?.data as FloatArray | undefined) ?? null;
  }

  /** E_DISPOSED after dispose(). */
  protected checkLive(): void {
    if (this.disposed) throw fail('E_DISPOSED', { what: `${this.kind}.forward`, expected: 'a live layer', got: 'a disposed one' });
  }

  /** The parameters by PyTorch name (no prefix), in the compute dtype. @see torch.nn.Module.state_dict */
  stateDict(): Map<string, Tensor> {
    return new Map(this.parameters);
  }

  /** Frees engine-owned memory; the layer cannot run afterwards. */
  dispose(): void {
    this.disposed = true;
  }

  /** See Note [Symbol.dispose] in ../stream.ts. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
