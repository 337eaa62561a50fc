/**
 * nn.RNN, nn.GRU and nn.LSTM (torch/nn/modules/rnn.py): options and weights are checked once
 * at construction; `forward` checks shapes (forward.ts) and runs the selected engine.
 */
import type { PackedSequence } from '../engine/packed.js';
import type { Tensor } from '../tensor.js';
import { optionsFromStateDict, type FromStateDictOptions, type StateDictLike } from './discover.js';
import { forwardStack } from './forward.js';
import type { Family, GRUOptions, LSTMOptions, RNNOptions } from './options.js';
import { ModuleBase } from './base.js';
import { RecurrentStream, type StreamOptions } from './stream.js';
import type { Weights } from './weights.js';

/** `{ output, hN }` of nn.RNN / nn.GRU: output is a Tensor or a PackedSequence, like the input. */
export interface RNNResult<O extends Tensor | PackedSequence = Tensor> {
  readonly output: O;
  /** h_n: (L·D, B, H_out), or (L·D, H_out) for unbatched input. */
  readonly hN: Tensor;
}

/** `{ output, hN, cN }` of nn.LSTM. */
export interface LSTMResult<O extends Tensor | PackedSequence = Tensor> extends RNNResult<O> {
  /** c_n: (L·D, B, H), or (L·D, H) for unbatched input. */
  readonly cN: Tensor;
}

/** What nn.RNN / nn.GRU / nn.LSTM share (torch.nn.RNNBase). */
export abstract class RNNBase extends ModuleBase {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  /** Accepted for parity with PyTorch; inference never applies dropout. */
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;

  protected constructor(family: Family, options: RNNOptions & LSTMOptions, weights: Weights) {
    super(family, options, weights);
    const o = this.resolved;
    this.numLayers = o.numLayers;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bidirectional = o.bidirectional;
    this.projSize = o.projSize;
  }

  /**
   * Step-by-step use of a unidirectional module: `s.step(x_t)` runs one time step and carries the
   * state (see RecurrentStream). A bidirectional module cannot stream: E_BAD_OPTION.
   */
  stream(options: StreamOptions = {}): RecurrentStream {
    return new RecurrentStream(this.spec, this.prepared, options);
  }
}

/**
 * Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), or relu.
 * @see torch.nn.RNN
 */
export class RNN extends RNNBase {
  constructor(options: RNNOptions, weights: Weights) {
    super('RNN', options, weights);
  }

  /** Builds an RNN from a state_dict (any prefix); shapes give the configuration. */
  static fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): RNN {
    return new RNN(optionsFromStateDict('RNN', sd, options), sd);
  }

  /** Runs the sequence; hx is h_0 (zeros when absent). */
  forward(input: Tensor, hx?: Tensor): RNNResult;
  forward(input: PackedSequence, hx?: Tensor): RNNResult<PackedSequence>;
  forward(input: Tensor | PackedSequence, hx?: Tensor): RNNResult<Tensor | PackedSequence> {
    const { output, hN } = forwardStack(this.spec, this.prepared, input, hx, undefined);
    return { output, hN };
  }
}

/**
 * GRU (gates r, z, n; b_hn inside the reset product). See src/engine/cell.ts for the equations.
 * @see torch.nn.GRU
 */
export class GRU extends RNNBase {
  constructor(options: GRUOptions, weights: Weights) {
    super('GRU', options, weights);
  }

  /** Builds a GRU from a state_dict (any prefix); shapes give the configuration. */
  static fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): GRU {
    return new GRU(optionsFromStateDict('GRU', sd, options), sd);
  }

  /** Runs the sequence; hx is h_0 (zeros when absent). */
  forward(input: Tensor, hx?: Tensor): RNNResult;
  forward(input: PackedSequence, hx?: Tensor): RNNResult<PackedSequence>;
  forward(input: Tensor | PackedSequence, hx?: Tensor): RNNResult<Tensor | PackedSequence> {
    const { output, hN } = forwardStack(this.spec, this.prepared, input, hx, undefined);
    return { output, hN };
  }
}

/**
 * LSTM (gates i, f, g, o; optional projection h = W_hr (o ⊙ tanh c)). See src/engine/cell.ts.
 * @see torch.nn.LSTM
 */
export class LSTM extends RNNBase {
  constructor(options: LSTMOptions, weights: Weights) {
    super('LSTM', options, weights);
  }

  /** Builds an LSTM from a state_dict (any prefix); shapes give the configuration, proj_size included. */
  static fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): LSTM {
    return new LSTM(optionsFromStateDict('LSTM', sd, options), sd);
  }

  /** Runs the sequence; hx is [h_0, c_0] (zeros when absent). */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor]): LSTMResult;
  forward(input: PackedSequence, hx?: readonly [Tensor, Tensor]): LSTMResult<PackedSequence>;
  forward(input: Tensor | PackedSequence, hx?: readonly [Tensor, Tensor]): LSTMResult<Tensor | PackedSequence> {
    const { output, hN, cN } = forwardStack(this.spec, this.prepared, input, hx?.[0], hx?.[1]);
    return { output, hN, cN: cN as Tensor };
  }
}
