/**
 * Module discovery from shapes only (a safetensors header or a zip directory is enough): group
 * parameter keys by module prefix, then read each module's configuration from its shapes
 * (docs/semantics.md, "Parameters"):
 *   weight_ih_l0: (G·H, input_size)   weight_hh_l0: (G·H, H_out)   weight_hr_l0: (P, H)
 *   H = cols(weight_hr_l0) with a projection (then P = H_out = rows), else H = cols(weight_hh_l0)
 *   G = rows(weight_hh_l0) / H: 1 → RNN, 3 → GRU, 4 → LSTM
 * Whether an RNN uses tanh or relu cannot be read from weights: it is an option.
 *
 * Counts taken from names are checked against the parameters that exist before anyone iterates
 * over them: `num_layers` is one more than the highest `_l{k}`, and every layer below it must
 * have its weight_ih and weight_hh (E_MISSING_PARAMETER naming the first one missing), so a lone
 * `weight_ih_l999999999` can never make a caller loop over a billion layers.
 */
import { familyOfGates, paramName, type ModuleConfig, type ModuleKind, type ParamKind } from '../config.js';
import { fail } from '../errors.js';
import { formatShape, type TensorInfo } from '../tensor.js';
import { parseParamName } from './names.js';

/** One recurrent module found in a state_dict. */
export interface ModuleInfo {
  /** Module path with its trailing dot (`encoder.rnn.`), or '' for a module at the root. */
  readonly prefix: string;
  readonly kind: ModuleKind;
  readonly config: ModuleConfig;
  /** Its parameter keys, full (prefix included), in state_dict order. */
  readonly parameters: readonly string[];
}

/** Keys that share a prefix and a naming scheme (layered `_l{k}` or cell), before inference. */
export interface ModuleGroup {
  readonly prefix: string;
  readonly cell: boolean;
  readonly parameters: readonly string[];
}

/** Groups recurrent parameter keys by (prefix, layered or cell), in order of first appearance. */
export function groupModules(keys: Iterable<string>): ModuleGroup[] {
  const groups = new Map<string, { prefix: string; cell: boolean; parameters: string[] }>();
  for (const key of keys) {
    const p = parseParamName(key);
    if (p === null) continue;
    const cell = p.layer === null;
    const id = `${cell ? 'cell' : 'stack'}:${p.prefix}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { prefix: p.prefix, cell, parameters: [] };
      groups.set(id, group);
    }
    group.parameters.push(key);
  }
  return [...groups.values()];
}

/**
 * Every recurrent module of a state_dict, with its configuration, from shapes only.
 * @see torch.nn.Module.named_modules (filtered to RNN / GRU / LSTM and the cells)
 */
export function listModules(infos: ReadonlyMap<string, TensorInfo>): ModuleInfo[] {
  return groupModules(infos.keys()).map((group) => inferModule(group, infos));
}

/** num_layers and bidirectional from the names, checked against the layers present (see the file comment). */
function layersOf(group: ModuleGroup): { numLayers: number; bidirectional: boolean } {
  if (group.cell) return { numLayers: 1, bidirectional: false };
  const ih = new Set<number>();
  const hh = new Set<number>();
  let top = 0;
  let bidirectional = false;
  for (const key of group.parameters) {
    const p = parseParamName(key);
    if (p === null || p.layer === null) continue;
    top = Math.max(top, p.layer);
    bidirectional ||= p.reverse;
    if (!p.reverse && p.kind === 'weight_ih') ih.add(p.layer);
    if (!p.reverse && p.kind === 'weight_hh') hh.add(p.layer);
  }
  // At most min(|ih|, |hh|) + 1 steps: the loop stops at the first layer missing a weight.
  for (let k = 0; k <= top; k++) {
    const missing = !ih.has(k) ? 'weight_ih' : !hh.has(k) ? 'weight_hh' : undefined;
    if (missing !== undefined) {
      const key = group.prefix + paramName(missing, k);
      throw fail('E_MISSING_PARAMETER', {
        what: `parameter ${key}`,
        expected: `layers 0 to ${top} (a parameter of layer ${top} exists)`,
        got: 'no such key',
        at: key,
      });
    }
  }
  return { numLayers: top + 1, bidirectional };
}

/** Reads one group's kind and configuration from its shapes. Throws E_MISSING_PARAMETER / E_PARAMETER_SHAPE. */
export function inferModule(group: ModuleGroup, infos: ReadonlyMap<string, TensorInfo>): ModuleInfo {
  const { prefix, cell } = group;
  const layer = cell ? null : 0;
  const shapeOf = (kind: ParamKind): readonly number[] | undefined => infos.get(prefix + paramName(kind, layer))?.shape;
  const matrix = (kind: ParamKind, role: string): readonly [number, number] => {
    const key = prefix + paramName(kind, layer);
    const shape = shapeOf(kind);
    if (shape === undefined) throw fail('E_MISSING_PARAMETER', { what: `parameter ${key}`, expected: `a ${role} matrix`, got: 'no such key', at: key });
    if (shape.length !== 2) throw fail('E_PARAMETER_SHAPE', { what: `rank of ${key}`, expected: `2 (${role})`, got: `${shape.length}-d ${formatShape(shape)}`, at: key });
    return [shape[0] as number, shape[1] as number];
  };
  const [ihRows, inputSize] = matrix('weight_ih', 'gate_size × input_size');
  const [hhRows, outSize] = matrix('weight_hh', 'gate_size × hidden_size');
  const hr = cell ? undefined : shapeOf('weight_hr');
  const hiddenSize = hr === undefined ? outSize : matrix('weight_hr', 'proj_size × hidden_size')[1];
  const hhKey = prefix + paramName('weight_hh', layer);
  const base = hiddenSize > 0 ? familyOfGates(hhRows / hiddenSize) : null;
  if (base === null) {
    throw fail('E_PARAMETER_SHAPE', {
      what: `rows of ${hhKey}`,
      expected: `1, 3 or 4 × hidden_size ${hiddenSize} (RNN, GRU, LSTM)`,
      got: String(hhRows),
      at: hhKey,
    });
  }
  const ihKey = prefix + paramName('weight_ih', layer);
  if (ihRows !== hhRows) {
    throw fail('E_PARAMETER_SHAPE', { what: `rows of ${ihKey}`, expected: `${hhRows} (rows of ${hhKey})`, got: String(ihRows), at: ihKey });
  }
  if (hr !== undefined && base !== 'LSTM') {
    const key = prefix + paramName('weight_hr', 0);
    throw fail('E_UNEXPECTED_PARAMETER', { what: `parameter ${key}`, expected: 'weight_hr only in an LSTM with proj_size', got: `a ${base}`, at: key });
  }
  if (hr !== undefined && (outSize < 1 || outSize >= hiddenSize)) {
    const key = prefix + paramName('weight_hr', 0);
    throw fail('E_PARAMETER_SHAPE', { what: `rows of ${key} (proj_size)`, expected: `1 to ${hiddenSize - 1} (below hidden_size)`, got: String(outSize), at: key });
  }
  const { numLayers, bidirectional } = layersOf(group);
  const config: ModuleConfig = {
    inputSize,
    hiddenSize,
    numLayers,
    bias: shapeOf('bias_ih') !== undefined || shapeOf('bias_hh') !== undefined,
    bidirectional,
    projSize: hr === undefined ? 0 : outSize,
  };
  return { prefix, kind: cell ? `${base}Cell` : base, config, parameters: group.parameters };
}
