/**
 * Construction shared by every module and cell: resolve the options, check and convert the
 * weights, and let the engine prepare them once. The engine is given, not chosen here (the
 * module classes choose it from their options: engine-select.ts), so that explain can run the
 * reference engine without pulling in the WebAssembly one.
 */
import type { ModuleKind } from '../config.js';
import type { FloatDType } from '../dtype.js';
import type { PackedSequence } from '../engine/packed.js';
import type { Engine, PreparedStack } from '../engine/types.js';
import type { Tensor } from '../tensor.js';
import { forwardModule, type ForwardResult, type ForwardSpec, type Hx } from './forward.js';
import { resolveOptions, type AnyOptions, type ResolvedOptions } from './options.js';
import { checkWeights, type Weights } from './weights.js';

/** A module ready to run on one engine (a `Runnable`, see run.ts). */
export interface PreparedModule {
  readonly kind: ModuleKind;
  readonly batchFirst: boolean;
  readonly options: ResolvedOptions;
  readonly dtype: FloatDType;
  readonly spec: ForwardSpec;
  readonly prepared: PreparedStack;
  /** Parameters by PyTorch name (no prefix), in the compute dtype. */
  readonly parameters: ReadonlyMap<string, Tensor>;
  /** The module's forward (see forwardModule). */
  forward(input: Tensor | PackedSequence, hx?: Hx): ForwardResult;
}

/** Checks options and weights of a `kind` module and prepares them on `engine`. */
export function prepareModule(kind: ModuleKind, options: AnyOptions, weights: Weights, engine: (o: ResolvedOptions) => Engine): PreparedModule {
  const o = resolveOptions(kind, options);
  const w = checkWeights(o, weights);
  const spec: ForwardSpec = { ...o, dtype: w.dtype };
  const prepared = engine(o).prepare(o, w.stack);
  return {
    kind,
    batchFirst: o.batchFirst,
    options: o,
    dtype: w.dtype,
    spec,
    prepared,
    parameters: new Map([...w.parameters].map(([name, t]) => [name, t.to(w.dtype)])),
    forward: (input, hx) => forwardModule(spec, prepared, input, hx),
  };
}
