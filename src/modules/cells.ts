/**
 * nn.RNNCell, nn.GRUCell and nn.LSTMCell (torch/nn/modules/rnn.py, RNNCellBase): one step,
 * run as a 1-layer stack with a single time step. Parameters `weight_ih`, `weight_hh`,
 * `bias_ih`, `bias_hh`; input (B, I) or unbatched (I); states (B, H) or (H).
 */
import type { FloatDType } from '../dtype.js';
import type { Mode, PreparedStack } from '../engine/types.js';
import type { Tensor } from '../tensor.js';
import { optionsFromStateDict, type FromStateDictOptions, type StateDictLike } from './discover.js';
import { forwardCell, type ForwardSpec } from './forward.js';
import type { CellOptions, Family, RNNCellOptions } from './options.js';
import { prepareModule } from './prepare.js';
import type { Weights } from './weights.js';

/** `{ hN }` of nn.RNNCell / nn.GRUCell: h′, (B, H) or (H). */
export interface CellResult {
  readonly hN: Tensor;
}

/** `{ hN, cN }` of nn.LSTMCell: h′ and c′. */
export interface LSTMCellResult extends CellResult {
  readonly cN: Tensor;
}

/** What the cells share (torch.nn.RNNCellBase). */
export abstract class RNNCellBase {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** The compute dtype; inputs and states must have it. */
  readonly dtype: FloatDType;
  /** The engine that runs this cell. */
  readonly engine: 'reference' | 'fast';
  protected readonly spec: ForwardSpec;
  protected readonly prepared: PreparedStack;
  readonly #parameters: ReadonlyMap<string, Tensor>;

  protected constructor(family: Family, options: RNNCellOptions, weights: Weights) {
    const { options: o, dtype, spec, prepared, parameters } = prepareModule(family, options, weights);
    this.mode = o.mode;
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.bias = o.bias;
    this.dtype = dtype;
    this.spec = spec;
    this.prepared = prepared;
    this.engine = prepared.engine;
    this.#parameters = parameters;
  }

  /** The parameters by PyTorch name (no prefix), in the compute dtype. @see torch.nn.Module.state_dict */
  stateDict(): Map<string, Tensor> {
    return new Map(this.#parameters);
  }

  /** Frees engine-owned memory; the cell cannot run afterwards. */
  dispose(): void {
    this.prepared.dispose();
  }

  /** See Note [Symbol.dispose] in stream.ts. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * h′ = tanh(W_ih x + b_ih + W_hh h + b_hh), or relu.
 * @see torch.nn.RNNCell
 */
export class RNNCell extends RNNCellBase {
  constructor(options: RNNCellOptions, weights: Weights) {
    super('RNNCell', options, weights);
  }

  /** Builds an RNNCell from a state_dict (any prefix). */
  static fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): RNNCell {
    return new RNNCell(optionsFromStateDict('RNNCell', sd, options), sd);
  }

  /** One step; hx is h (zeros when absent). */
  forward(input: Tensor, hx?: Tensor): CellResult {
    return { hN: forwardCell(this.spec, this.prepared, input, hx, undefined).hN };
  }
}

/**
 * One GRU step (equations in src/engine/cell.ts).
 * @see torch.nn.GRUCell
 */
export class GRUCell extends RNNCellBase {
  constructor(options: CellOptions, weights: Weights) {
    super('GRUCell', options, weights);
  }

  /** Builds a GRUCell from a state_dict (any prefix). */
  static fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): GRUCell {
    return new GRUCell(optionsFromStateDict('GRUCell', sd, options), sd);
  }

  /** One step; hx is h (zeros when absent). */
  forward(input: Tensor, hx?: Tensor): CellResult {
    return { hN: forwardCell(this.spec, this.prepared, input, hx, undefined).hN };
  }
}

/**
 * One LSTM step (equations in src/engine/cell.ts).
 * @see torch.nn.LSTMCell
 */
export class LSTMCell extends RNNCellBase {
  constructor(options: CellOptions, weights: Weights) {
    super('LSTMCell', options, weights);
  }

  /** Builds an LSTMCell from a state_dict (any prefix). */
  static fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): LSTMCell {
    return new LSTMCell(optionsFromStateDict('LSTMCell', sd, options), sd);
  }

  /** One step; hx is [h, c] (zeros when absent). */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor]): LSTMCellResult {
    const { hN, cN } = forwardCell(this.spec, this.prepared, input, hx?.[0], hx?.[1]);
    return { hN, cN: cN as Tensor };
  }
}
