/**
 * nn.RNNCell, nn.GRUCell and nn.LSTMCell (torch/nn/modules/rnn.py, RNNCellBase): one step,
 * run as a 1-layer stack with a single time step. Parameters `weight_ih`, `weight_hh`,
 * `bias_ih`, `bias_hh`; input (B, I) or unbatched (I); states (B, H) or (H).
 * `forward` has every module's parameters (Note [one forward signature] in rnn.ts): a
 * PackedSequence is rejected (E_BAD_ARGUMENT), as PyTorch's cells take one step.
 */
import type { PackedSequence } from '../engine/packed.js';
import type { Tensor } from '../tensor.js';
import { ModuleBase } from './base.js';
import type { Hx } from './forward.js';
import type { AnyOptions, CellOptions, RNNCellOptions } from './options.js';
import type { Weights } from './weights.js';

/** `{ output, hN }` of nn.RNNCell / nn.GRUCell: h′, (B, H) or (H); output is h′ too. */
export interface CellResult {
  /** h′ (what PyTorch's cell returns). */
  readonly output: Tensor;
  /** h′ */
  readonly hN: Tensor;
  /** c′: nn.LSTMCell only (see LSTMCellResult). */
  readonly cN?: Tensor;
}

/** `{ output, hN, cN }` of nn.LSTMCell: h′ (output and hN) and c′. */
export interface LSTMCellResult extends CellResult {
  readonly cN: Tensor;
}

/** What the cells share (torch.nn.RNNCellBase). */
export abstract class RNNCellBase extends ModuleBase {
  protected constructor(kind: 'RNNCell' | 'GRUCell' | 'LSTMCell', options: AnyOptions, weights: Weights) {
    super(kind, options, weights);
  }

  /** One step; hx is h (zeros when absent). See Note [one forward signature] in rnn.ts. */
  forward(input: Tensor, hx?: Hx): CellResult;
  forward(input: PackedSequence, hx?: Hx): never;
  forward(input: Tensor | PackedSequence, hx?: Hx): CellResult;
  forward(input: Tensor | PackedSequence, hx?: Hx): CellResult {
    return this.module.forward(input, hx) as CellResult;
  }
}

/**
 * h′ = tanh(W_ih x + b_ih + W_hh h + b_hh), or relu.
 * @see torch.nn.RNNCell
 */
export class RNNCell extends RNNCellBase {
  static readonly kind = 'RNNCell';

  constructor(options: RNNCellOptions, weights: Weights) {
    super('RNNCell', options, weights);
  }
}

/**
 * One GRU step (equations in src/engine/cell.ts).
 * @see torch.nn.GRUCell
 */
export class GRUCell extends RNNCellBase {
  static readonly kind = 'GRUCell';

  constructor(options: CellOptions, weights: Weights) {
    super('GRUCell', options, weights);
  }
}

/**
 * One LSTM step (equations in src/engine/cell.ts).
 * @see torch.nn.LSTMCell
 */
export class LSTMCell extends RNNCellBase {
  static readonly kind = 'LSTMCell';

  constructor(options: CellOptions, weights: Weights) {
    super('LSTMCell', options, weights);
  }

  /** One step; hx is [h, c] (zeros when absent). */
  override forward(input: Tensor, hx?: Hx): LSTMCellResult;
  override forward(input: PackedSequence, hx?: Hx): never;
  override forward(input: Tensor | PackedSequence, hx?: Hx): LSTMCellResult;
  override forward(input: Tensor | PackedSequence, hx?: Hx): LSTMCellResult {
    return this.module.forward(input, hx) as LSTMCellResult;
  }
}
