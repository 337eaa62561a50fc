/**
 * The contract between the modules (src/modules/) and the engines: the reference engine
 * (src/engine/) and the fast WASM engine (src/fast/) implement the same `StackEngine`.
 *
 * Everything here is plain typed arrays in one float dtype, already validated by the modules:
 * shapes are checked once at the module's entry, the engines index freely.
 *
 * Note [packed layout everywhere]
 * The engines only see PyTorch's PackedSequence layout: rows stacked time step by time step,
 * `batchSizes[t]` rows active at step t (non-increasing). A dense time-major (T, B, I) input is
 * exactly that layout with `batchSizes = [B, B, …, B]` (T entries), so dense and packed input
 * share one code path; batch_first / unbatched / unsorted lengths are undone by the modules.
 */
import type { FloatDType } from '../dtype.js';

/** PyTorch's mode strings (torch/nn/modules/rnn.py, RNNBase.mode). */
export type Mode = 'RNN_TANH' | 'RNN_RELU' | 'GRU' | 'LSTM';

/** Float storage of the compute dtype. */
export type FloatArray = Float32Array | Float64Array;

/** Hyper-parameters of a stack of recurrent layers (a cell is numLayers 1, unidirectional). */
export interface StackConfig {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  /** 0 when there is no projection (then H_out = hiddenSize). LSTM only. */
  readonly projSize: number;
}

/** One layer × direction, row-major as in the state_dict. G = 1 / 3 / 4 gates. */
export interface LayerWeights {
  /** (G·H, I_k) */
  readonly wIh: FloatArray;
  /** (G·H, H_out) */
  readonly wHh: FloatArray;
  /** (G·H) or null when bias=False */
  readonly bIh: FloatArray | null;
  /** (G·H) or null when bias=False */
  readonly bHh: FloatArray | null;
  /** (P, H) or null without projection */
  readonly wHr: FloatArray | null;
}

/** All weights of a stack, in the compute dtype. `layers[layer * D + direction]`. */
export interface StackWeights {
  readonly dtype: FloatDType;
  readonly layers: readonly LayerWeights[];
}

/** One forward pass. See Note [packed layout everywhere]. */
export interface StackInput {
  /** (N, inputSize) rows, N = sum(batchSizes). */
  readonly x: FloatArray;
  /** Rows active at each step, non-increasing, batchSizes[0] = B. Length T ≥ 1. */
  readonly batchSizes: Int32Array;
  /** (L·D, B, H_out) initial hidden state in the packed (sorted) batch order, or null for zeros. */
  readonly h0: FloatArray | null;
  /** (L·D, B, H) initial cell state (LSTM only), or null for zeros. */
  readonly c0: FloatArray | null;
}

/** Results, in the same packed row layout and batch order as the input. */
export interface StackOutput {
  /** (N, D·H_out): forward direction's H_out columns first, then reverse. */
  readonly output: FloatArray;
  /** (L·D, B, H_out): each sequence's state at its own last valid step. */
  readonly hN: FloatArray;
  /** (L·D, B, H) for LSTM, else null. */
  readonly cN: FloatArray | null;
}

/** Weights prepared once (the fast engine repacks them into panels here). */
export interface PreparedStack {
  readonly engine: 'reference' | 'fast';
  run(input: StackInput): StackOutput;
  /** Frees engine-owned memory (WASM); further calls throw E_DISPOSED. */
  dispose(): void;
}

/** An engine: prepares weights for a config. */
export interface StackEngine {
  readonly name: 'reference' | 'fast';
  prepare(config: StackConfig, weights: StackWeights): PreparedStack;
}
