/**
 * Construction shared by every module and cell: resolve the options, check and convert the
 * weights, and let the selected engine prepare them once.
 */
import type { FloatDType } from '../dtype.js';
import type { PreparedStack } from '../engine/types.js';
import type { Tensor } from '../tensor.js';
import { selectEngine } from './engine-select.js';
import type { ForwardSpec } from './forward.js';
import { resolveOptions, type Family, type LSTMOptions, type ResolvedOptions, type RNNOptions } from './options.js';
import { checkWeights, type Weights } from './weights.js';

/** A module ready to run. */
export interface Prepared {
  readonly options: ResolvedOptions;
  readonly dtype: FloatDType;
  readonly spec: ForwardSpec;
  readonly prepared: PreparedStack;
  /** Parameters by PyTorch name (no prefix), in the compute dtype. */
  readonly parameters: ReadonlyMap<string, Tensor>;
}

/** Checks options and weights of a `family` module and prepares its engine. */
export function prepareModule(family: Family, options: RNNOptions & LSTMOptions, weights: Weights): Prepared {
  const o = resolveOptions(family, options);
  const w = checkWeights(o, family.endsWith('Cell'), weights);
  return {
    options: o,
    dtype: w.dtype,
    spec: { ...o, dtype: w.dtype },
    prepared: selectEngine(o.engine, o.simd).prepare(o, w.stack),
    parameters: new Map([...w.parameters].map(([name, t]) => [name, t.to(w.dtype)])),
  };
}
