/**
 * nn.RNN, nn.GRU and nn.LSTM (torch/nn/modules/rnn.py): options and weights are checked once
 * at construction; `forward` checks shapes (forward.ts) and runs the module's engine.
 *
 * Note [one forward signature]
 * Every module kind, cells included, declares `forward` with the same parameters (`hx` is h_0, or
 * the pair (h_0, c_0) for an LSTM, checked when called), so that a call on the union that
 * `fromStateDict` returns type-checks; only the result types differ by kind (LSTM and LSTMCell
 * narrow `cN` to a Tensor).
 */
import type { PackedSequence } from '../engine/packed.js';
import type { Tensor } from '../tensor.js';
import { ModuleBase } from './base.js';
import type { Hx } from './forward.js';
import type { AnyOptions, GRUOptions, LSTMOptions, RNNOptions } from './options.js';
import { RecurrentStream, type StreamOptions, type StreamState } from './stream.js';
import type { Weights } from './weights.js';

/** `{ output, hN }` of nn.RNN / nn.GRU: output is a Tensor or a PackedSequence, like the input. */
export interface RNNResult<O extends Tensor | PackedSequence = Tensor> {
  /** (T, B, D·H_out), batch-first (B, T, D·H_out), unbatched (T, D·H_out), or a PackedSequence. */
  readonly output: O;
  /** h_n: (L·D, B, H_out), or (L·D, H_out) for unbatched input. */
  readonly hN: Tensor;
  /** c_n: nn.LSTM only (see LSTMResult). */
  readonly cN?: Tensor;
}

/** `{ output, hN, cN }` of nn.LSTM. */
export interface LSTMResult<O extends Tensor | PackedSequence = Tensor> extends RNNResult<O> {
  /** c_n: (L·D, B, H), or (L·D, H) for unbatched input. */
  readonly cN: Tensor;
}

/** What nn.RNN / nn.GRU / nn.LSTM share (torch.nn.RNNBase). `S` is a stream's state: h, or [h, c] for an LSTM. */
export abstract class RNNBase<S extends StreamState = StreamState> extends ModuleBase {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  /** Accepted for parity with PyTorch; inference never applies dropout. */
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;

  protected constructor(kind: 'RNN' | 'GRU' | 'LSTM', options: AnyOptions, weights: Weights) {
    super(kind, options, weights);
    const o = this.module.options;
    this.numLayers = o.numLayers;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bidirectional = o.bidirectional;
    this.projSize = o.projSize;
  }

  /** Runs the sequence; hx is h_0 (zeros when absent). See Note [one forward signature]. */
  forward(input: Tensor, hx?: Hx): RNNResult;
  forward(input: PackedSequence, hx?: Hx): RNNResult<PackedSequence>;
  forward(input: Tensor | PackedSequence, hx?: Hx): RNNResult<Tensor | PackedSequence>;
  forward(input: Tensor | PackedSequence, hx?: Hx): RNNResult<Tensor | PackedSequence> {
    return this.module.forward(input, hx);
  }

  /**
   * Step-by-step use of a unidirectional module: `s.step(x_t)` runs one time step and carries the
   * state (see RecurrentStream). A bidirectional module cannot stream: E_BAD_OPTION.
   */
  stream(options: StreamOptions = {}): RecurrentStream<S> {
    return new RecurrentStream<S>(this.module.spec, this.module.prepared, options);
  }
}

/**
 * Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), or relu.
 * @see torch.nn.RNN
 */
export class RNN extends RNNBase<Tensor> {
  static readonly kind = 'RNN';

  constructor(options: RNNOptions, weights: Weights) {
    super('RNN', options, weights);
  }
}

/**
 * GRU (gates r, z, n; b_hn inside the reset product). See src/engine/cell.ts for the equations.
 * @see torch.nn.GRU
 */
export class GRU extends RNNBase<Tensor> {
  static readonly kind = 'GRU';

  constructor(options: GRUOptions, weights: Weights) {
    super('GRU', options, weights);
  }
}

/**
 * LSTM (gates i, f, g, o; optional projection h = W_hr (o ⊙ tanh c)). See src/engine/cell.ts.
 * @see torch.nn.LSTM
 */
export class LSTM extends RNNBase<readonly [Tensor, Tensor]> {
  static readonly kind = 'LSTM';

  constructor(options: LSTMOptions, weights: Weights) {
    super('LSTM', options, weights);
  }

  /** Runs the sequence; hx is [h_0, c_0] (zeros when absent). See Note [one forward signature]. */
  override forward(input: Tensor, hx?: Hx): LSTMResult;
  override forward(input: PackedSequence, hx?: Hx): LSTMResult<PackedSequence>;
  override forward(input: Tensor | PackedSequence, hx?: Hx): LSTMResult<Tensor | PackedSequence>;
  override forward(input: Tensor | PackedSequence, hx?: Hx): LSTMResult<Tensor | PackedSequence> {
    return this.module.forward(input, hx) as LSTMResult<Tensor | PackedSequence>;
  }
}
