/**
 * What every module and cell shares (torch.nn.Module's parts that apply to inference): the
 * checked options, the compute dtype, the engine its options chose with the weights prepared on
 * it, `stateDict()` and disposal.
 */
import type { Mode, ModuleKind } from '../config.js';
import type { FloatDType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { optionsFromStateDict, type FromStateDictOptions, type StateDictLike } from './discover.js';
import { selectEngine } from './engine-select.js';
import type { AnyOptions } from './options.js';
import { prepareModule, type PreparedModule } from './prepare.js';
import type { Weights } from './weights.js';

/** A module class: its kind and its constructor (what `X.fromStateDict` builds with). */
export interface ModuleClass<M> {
  readonly kind: ModuleKind;
  new (options: never, weights: Weights): M;
}

export abstract class ModuleBase {
  /** The torch.nn class this module reproduces. */
  readonly kind: ModuleKind;
  /** PyTorch's mode string: RNN_TANH, RNN_RELU, GRU or LSTM. */
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** The compute dtype; inputs and states must have it. */
  readonly dtype: FloatDType;
  /** The engine that runs this module. */
  readonly engine: 'reference' | 'fast';
  /** The fast engine's kernel build, or `none` on the reference engine. */
  readonly simd: 'relaxed' | 'plain' | 'none';
  /** Options, checked weights and the engine's prepared stack. */
  protected readonly module: PreparedModule;

  protected constructor(kind: ModuleKind, options: AnyOptions, weights: Weights) {
    this.module = prepareModule(kind, options, weights, (o) => selectEngine(o.engine, o.simd));
    const o = this.module.options;
    this.kind = kind;
    this.mode = o.mode;
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.bias = o.bias;
    this.dtype = this.module.dtype;
    this.engine = this.module.prepared.engine.name;
    this.simd = this.module.prepared.engine.simd;
  }

  /**
   * Builds this class's module from a state_dict (any prefix); the shapes give the configuration.
   * A module of another kind under the prefix is E_PARAMETER_SHAPE or E_MISSING_PARAMETER.
   * @example const lstm = LSTM.fromStateDict(sd, { prefix: 'encoder.rnn' });
   */
  static fromStateDict<M>(this: ModuleClass<M>, sd: StateDictLike, options: FromStateDictOptions = {}): M {
    return new this(optionsFromStateDict(this.kind, sd, options) as never, sd);
  }

  /** The parameters by PyTorch name (no prefix), in the compute dtype. @see torch.nn.Module.state_dict */
  stateDict(): Map<string, Tensor> {
    return new Map(this.module.parameters);
  }

  /** Frees engine-owned memory; the module cannot run afterwards. */
  dispose(): void {
    this.module.prepared.dispose();
  }

  /** See Note [Symbol.dispose] in stream.ts. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
