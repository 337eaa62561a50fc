/**
 * What every module and cell shares (torch.nn.Module's parts that apply to inference): the
 * checked options, the compute dtype, the engine's prepared weights, `stateDict()` and disposal.
 */
import type { FloatDType } from '../dtype.js';
import type { Mode, PreparedStack } from '../engine/types.js';
import type { Tensor } from '../tensor.js';
import type { ForwardSpec } from './forward.js';
import type { Family, LSTMOptions, RNNOptions } from './options.js';
import { prepareModule, type Prepared } from './prepare.js';
import type { Weights } from './weights.js';

export abstract class ModuleBase {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** The compute dtype; inputs and states must have it. */
  readonly dtype: FloatDType;
  /** The engine that runs this module. */
  readonly engine: 'reference' | 'fast';
  protected readonly spec: ForwardSpec;
  protected readonly prepared: PreparedStack;
  /** The resolved options, for subclasses that expose more of them. */
  protected readonly resolved: Prepared['options'];
  readonly #parameters: ReadonlyMap<string, Tensor>;

  protected constructor(family: Family, options: RNNOptions & LSTMOptions, weights: Weights) {
    const { options: o, dtype, spec, prepared, parameters } = prepareModule(family, options, weights);
    this.mode = o.mode;
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.bias = o.bias;
    this.dtype = dtype;
    this.spec = spec;
    this.prepared = prepared;
    this.engine = prepared.engine;
    this.resolved = o;
    this.#parameters = parameters;
  }

  /** The parameters by PyTorch name (no prefix), in the compute dtype. @see torch.nn.Module.state_dict */
  stateDict(): Map<string, Tensor> {
    return new Map(this.#parameters);
  }

  /** Frees engine-owned memory; the module cannot run afterwards. */
  dispose(): void {
    this.prepared.dispose();
  }

  /** See Note [Symbol.dispose] in stream.ts. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
