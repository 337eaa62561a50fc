/**
 * nn.RNNCell, nn.GRUCell and nn.LSTMCell (torch/nn/modules/rnn.py, RNNCellBase): one step,
 * run as a 1-layer stack with a single time step. Parameters `weight_ih`, `weight_hh`,
 * `bias_ih`, `bias_hh`; input (B, I) or unbatched (I); states (B, H) or (H).
 */
import type { Tensor } from '../tensor.js';
import { optionsFromStateDict, type FromStateDictOptions, type StateDictLike } from './discover.js';
import { forwardCell } from './forward.js';
import type { CellOptions, RNNCellOptions } from './options.js';
import { ModuleBase } from './base.js';
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
export abstract class RNNCellBase extends ModuleBase {}

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
