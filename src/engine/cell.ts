/**
 * Cells: one time step of RNN / GRU / LSTM for a block of rows, PyTorch semantics.
 * Reference: https://pytorch.org/docs/stable/generated/torch.nn.GRU.html (and RNN, LSTM) and the
 * cells of aten/src/ATen/native/RNN.cpp (SimpleCell, GRUCell, LSTMCell; "CELL IMPLEMENTATIONS"):
 * https://github.com/pytorch/pytorch/blob/d5a9317611bac8953a48ea5c657c822055de63e5/aten/src/ATen/native/RNN.cpp
 *
 * Every cell receives the two halves of the pre-activation separately, as ATen does:
 *   gi = W_ih x + b_ih   (precomputed for all steps, see stack.ts)
 *   gh = W_hh h + b_hh   (computed per step, see layer.ts)
 * both (rows, G·H) with the gate blocks in PyTorch's order. States are updated in place.
 */
import type { FloatArray } from './types.js';

/**
 * σ(x) = 1 / (1 + e^−x). For x < −745, e^−x overflows to +∞ and σ is exactly 0; for x > 37,
 * e^−x < 2^−53 and σ is exactly 1: saturates like PyTorch, never NaN for finite or infinite x.
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** tanh: Math.tanh already saturates to exactly ±1 (and maps ±∞ to ±1). */
export const tanh: (x: number) => number = Math.tanh;

/** relu(x) = max(x, 0); NaN stays NaN as in torch.relu. */
export function relu(x: number): number {
  return x < 0 ? 0 : x;
}

/**
 * Elman RNN cell (torch.nn.RNNCell, ATen SimpleCell):
 *   h' = act(W_ih x + b_ih + W_hh h + b_hh),  act = tanh or relu
 * gi, gh: (rows, H); h: (rows, H).
 */
export function rnnCell(gi: FloatArray, gh: FloatArray, h: FloatArray, rows: number, H: number, act: (x: number) => number): void {
  for (let k = 0; k < rows * H; k++) h[k] = act(gi[k] + gh[k]);
}

/**
 * GRU cell (torch.nn.GRUCell, ATen GRUCell), gate blocks [r | z | n]:
 *   r  = σ(W_ir x + b_ir + W_hr h + b_hr)
 *   z  = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))     b_hn inside the reset product
 *   h' = (1 − z) ⊙ n + z ⊙ h
 * gi, gh: (rows, 3H); h: (rows, H).
 */
export function gruCell(gi: FloatArray, gh: FloatArray, h: FloatArray, rows: number, H: number): void {
  const R = 0;
  const Z = H;
  const N = 2 * H;
  for (let b = 0; b < rows; b++) {
    const g = b * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gi[g + R + j] + gh[g + R + j]);
      const z = sigmoid(gi[g + Z + j] + gh[g + Z + j]);
      const n = tanh(gi[g + N + j] + r * gh[g + N + j]);
      // ATen's GRUCell evaluates h' as (h − n)·z + n: the same algebra, rounded like PyTorch.
      // https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/_decomp/decompositions.py#L4363 (its Python twin)
      const k = b * H + j;
      h[k] = (h[k] - n) * z + n;
    }
  }
}

/**
 * LSTM cell (torch.nn.LSTMCell, ATen LSTMCell), gate blocks [i | f | g | o]:
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)
 *   f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)
 *   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f ⊙ c + i ⊙ g
 *   y  = o ⊙ tanh(c')        h' = y, or h' = W_hr y with a projection (layer.ts applies it)
 * gi, gh: (rows, 4H); c: (rows, H) updated in place; y: (rows, H) written.
 */
export function lstmCell(gi: FloatArray, gh: FloatArray, c: FloatArray, y: FloatArray, rows: number, H: number): void {
  const I = 0;
  const F = H;
  const G = 2 * H;
  const O = 3 * H;
  for (let b = 0; b < rows; b++) {
    const q = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gi[q + I + j] + gh[q + I + j]);
      const f = sigmoid(gi[q + F + j] + gh[q + F + j]);
      const g = tanh(gi[q + G + j] + gh[q + G + j]);
      const o = sigmoid(gi[q + O + j] + gh[q + O + j]);
      const k = b * H + j;
      c[k] = f * c[k] + i * g;
      y[k] = o * tanh(c[k]);
    }
  }
}
