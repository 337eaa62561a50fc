/**
 * Stack: layers × directions (ATen's apply_layer_stack in aten/src/ATen/native/RNN.cpp).
 * Layer k > 0 reads layer k−1's full output, both directions concatenated (forward first).
 * Per layer and direction, the input projection of all N rows is one product (as PyTorch's CPU
 * path does, which rounds differently from per-step products), then the time scan adds W_hh h.
 * Dropout between layers is a training-time operation: inference never applies it.
 * The input projection first: https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/_decomp/decompositions.py#L3894
 */
import { gateCount, numDirections, outSize, type StackConfig } from '../config.js';
import { scanDirection, type LayerShape } from './layer.js';
import { allocFloat, linear } from './linear.js';
import type { FloatArray, StackInput, StackOutput, StackWeights } from './types.js';

/** Runs a whole stack on packed input. See Note [packed layout everywhere] in types.ts. */
export function runLayers(config: StackConfig, weights: StackWeights, input: StackInput): StackOutput {
  const { mode, inputSize, hiddenSize: H, numLayers: L } = config;
  const { dtype } = weights;
  const D = numDirections(config);
  const Hout = outSize(config);
  const GH = gateCount(mode) * H;
  const { batchSizes } = input;
  const T = batchSizes.length;
  const B = T > 0 ? batchSizes[0] : 0;
  const offsets = new Int32Array(T);
  let N = 0;
  for (let t = 0; t < T; t++) {
    offsets[t] = N;
    N += batchSizes[t];
  }
  const shape: LayerShape = { mode, dtype, hiddenSize: H, outSize: Hout };
  const hN = allocFloat(dtype, L * D * B * Hout);
  const cN = mode === 'LSTM' ? allocFloat(dtype, L * D * B * H) : null;
  if (input.h0 !== null) hN.set(input.h0);
  if (cN !== null && input.c0 !== null) cN.set(input.c0);

  let x: FloatArray = input.x;
  let inFeatures = inputSize;
  for (let layer = 0; layer < L; layer++) {
    const output = allocFloat(dtype, N * D * Hout);
    for (let dir = 0; dir < D; dir++) {
      const k = layer * D + dir;
      const w = weights.layers[k];
      // gi = W_ih x + b_ih for all steps at once
      const gi = allocFloat(dtype, N * GH);
      linear(x, N, inFeatures, w.wIh, w.bIh, GH, gi);
      const h = hN.subarray(k * B * Hout, (k + 1) * B * Hout);
      const c = cN === null ? null : cN.subarray(k * B * H, (k + 1) * B * H);
      scanDirection(shape, w, gi, batchSizes, offsets, dir === 1, h, c, { output, rowStride: D * Hout, column: dir * Hout });
    }
    x = output;
    inFeatures = D * Hout;
  }
  return { output: x, hN, cN };
}
