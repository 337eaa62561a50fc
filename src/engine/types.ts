/**
 * The contract between the modules (src/modules/) and the engines: the reference engine
 * (src/engine/) and the fast WASM engine (src/fast/) implement the same `Engine`: prepare weights once, run
 * a forward pass, open a stream, dispose.
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
import type { StackConfig } from '../config.js';
import type { FloatDType } from '../dtype.js';

/** Float storage of the compute dtype. */
export type FloatArray = Float32Array | Float64Array;

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

/**
 * A stack fed one time step at a time, carrying its state between calls (`module.stream()`).
 * Arrays are row-major; states have forward's h_0 / c_0 layout without the direction axis
 * (streams are unidirectional): h (L, batch, H_out), c (L, batch, H).
 */
export interface StackStream {
  readonly batch: number;
  /** Runs one step: x (batch, I) → the step's output (batch, H_out), a view valid until the next call. */
  step(x: FloatArray): FloatArray;
  /** Copies of the current state; c is null except for LSTM. */
  getState(): { h: FloatArray; c: FloatArray | null };
  /** Replaces the state (shapes as getState's; c ignored unless LSTM). */
  setState(h: FloatArray, c: FloatArray | null): void;
  /** Zero state, as a fresh stream. */
  reset(): void;
  /** Frees engine-owned memory; further calls throw E_DISPOSED. */
  dispose(): void;
}

/** Which engine and kernel build run a prepared stack (`none`: plain JavaScript). */
export interface EngineId {
  readonly name: 'reference' | 'fast';
  readonly simd: 'relaxed' | 'plain' | 'none';
}

/** Weights prepared once for one engine (the fast engine repacks them into panels). */
export interface PreparedStack {
  readonly engine: EngineId;
  /** One forward pass. See Note [packed layout everywhere]. */
  run(input: StackInput): StackOutput;
  /** A stream of `batch` sequences, one step per call; the stack must be unidirectional. */
  openStream(batch: number): StackStream;
  /** Frees engine-owned memory (WASM); further calls throw E_DISPOSED. */
  dispose(): void;
}

/** nn.Linear's parameters in the compute dtype: weight (outFeatures, inFeatures) row-major, bias or null. */
export interface LinearWeights {
  readonly dtype: FloatDType;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: FloatArray;
  readonly bias: FloatArray | null;
}

/** A linear map prepared once for one engine: y = x Wᵀ + b over rows. */
export interface PreparedLinear {
  readonly engine: EngineId;
  /** x (rows, inFeatures) → y (rows, outFeatures), a new array of the compute dtype. */
  run(x: FloatArray, rows: number): FloatArray;
  /** Frees engine-owned memory (WASM); further calls throw E_DISPOSED. */
  dispose(): void;
}

/**
 * An engine: everything that computes. The reference engine (src/engine/reference.ts) and the
 * fast engine (src/fast/engine.ts) implement it; a module holds the one it was built with.
 */
export interface Engine extends EngineId {
  /** Takes the weights in the compute dtype (already checked against `config`) and prepares them. */
  prepare(config: StackConfig, weights: StackWeights): PreparedStack;
  /** Prepares nn.Linear's weights (the fast engine packs them for its GEMM). */
  prepareLinear(weights: LinearWeights): PreparedLinear;
}
