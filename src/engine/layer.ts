/**
 * Layer: the time scan of one layer in one direction over packed rows (ATen's FullLayer and
 * PackedLayer / ReversedPackedLayer under "LAYER IMPLEMENTATIONS" in aten/src/ATen/native/RNN.cpp:
 * https://github.com/pytorch/pytorch/blob/d5a9317611bac8953a48ea5c657c822055de63e5/aten/src/ATen/native/RNN.cpp).
 * The input projection gi = W_ih x + b_ih is already computed for every row (stack.ts); each
 * step adds W_hh h + b_hh.
 *
 * Note [reverse direction with packed input]
 * Rows of step t are the first batchSizes[t] sequences (sorted by length, descending). The
 * forward scan runs t = 0 … T−1 and a sequence simply stops being updated after its last step,
 * so its state there is its h_n. The reverse scan runs t = T−1 … 0: a sequence becomes active at
 * its own last valid step len_b − 1, starting from h0, never at T−1 over padding. Both fall out
 * of keeping the state of all B sequences and updating only the first batchSizes[t] rows.
 */
import { gateCount, type Mode } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { gruCell, lstmCell, relu, rnnCell, tanh } from './cell.js';
import { allocFloat, linear } from './linear.js';
import type { FloatArray, LayerWeights } from './types.js';

/** Sizes of one layer. G = gates per hidden unit (1, 3, 4). */
export interface LayerShape {
  readonly mode: Mode;
  readonly dtype: FloatDType;
  readonly hiddenSize: number;
  /** H_out: projSize when projecting, else hiddenSize. */
  readonly outSize: number;
}

/** Where one direction writes: its column block in the (N, D·H_out) layer output. */
export interface DirectionOutput {
  readonly output: FloatArray;
  readonly rowStride: number;
  readonly column: number;
}

/**
 * Runs one direction. `gi`: (N, G·H) input projections of all rows; `batchSizes`, `offsets`:
 * rows per step and first row of each step; `h`: (B, H_out) initial state, updated to h_n;
 * `c`: (B, H) for LSTM, updated to c_n. See Note [reverse direction with packed input].
 */
export function scanDirection(
  shape: LayerShape,
  w: LayerWeights,
  gi: FloatArray,
  batchSizes: Int32Array,
  offsets: Int32Array,
  reverse: boolean,
  h: FloatArray,
  c: FloatArray | null,
  out: DirectionOutput,
): void {
  const { mode, dtype, hiddenSize: H, outSize: Hout } = shape;
  const GH = gateCount(mode) * H;
  const B = batchSizes.length > 0 ? batchSizes[0] : 0;
  const gh = allocFloat(dtype, B * GH);
  const y = w.wHr === null ? null : allocFloat(dtype, B * H);
  const T = batchSizes.length;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const rows = batchSizes[t];
    if (rows === 0) continue;
    const giT = gi.subarray(offsets[t] * GH, (offsets[t] + rows) * GH);
    // gh = W_hh h + b_hh for the active rows
    linear(h, rows, Hout, w.wHh, w.bHh, GH, gh);
    switch (mode) {
      case 'RNN_TANH':
        rnnCell(giT, gh, h, rows, H, tanh);
        break;
      case 'RNN_RELU':
        rnnCell(giT, gh, h, rows, H, relu);
        break;
      case 'GRU':
        gruCell(giT, gh, h, rows, H);
        break;
      case 'LSTM':
        if (y === null) {
          lstmCell(giT, gh, c as FloatArray, h, rows, H);
        } else {
          lstmCell(giT, gh, c as FloatArray, y, rows, H);
          // h' = W_hr (o ⊙ tanh(c')), no bias: https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/_decomp/decompositions.py#L4142
          linear(y, rows, H, w.wHr as FloatArray, null, Hout, h);
        }
        break;
    }
    for (let b = 0; b < rows; b++) {
      const dst = (offsets[t] + b) * out.rowStride + out.column;
      for (let j = 0; j < Hout; j++) out.output[dst + j] = h[b * Hout + j];
    }
  }
}
