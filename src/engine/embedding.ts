/**
 * nn.Embedding's forward (torch.nn.functional.embedding): a gather of weight rows,
 *   y[i, :] = weight[index[i], :]
 * With max_norm, PyTorch first renormalises in place each looked-up row whose norm exceeds it
 * (aten/src/ATen/native/Embedding.cpp, embedding_renorm_):
 *   if ‖w‖_p > max_norm:  w ← w · (max_norm / (‖w‖_p + 1e-7))
 * rnnport scales the rows it returns and leaves its stored weights alone; a renormed row's norm no
 * longer exceeds max_norm, so PyTorch's next call returns the same values.
 */
import type { FloatDType } from '../dtype.js';
import type { FloatArray } from './types.js';

/** ‖v‖_p as torch.norm computes it: p = ∞ is max |v_i|, p = 0 counts the non-zeros. */
function norm(v: FloatArray, p: number): number {
  let acc = 0;
  if (p === Infinity) {
    for (let i = 0; i < v.length; i++) acc = Math.max(acc, Math.abs(v[i]));
    return acc;
  }
  if (p === 0) {
    for (let i = 0; i < v.length; i++) acc += v[i] !== 0 ? 1 : 0;
    return acc;
  }
  for (let i = 0; i < v.length; i++) acc += Math.abs(v[i]) ** p;
  return acc ** (1 / p);
}

/** y[i, :] = weight[index[i], :] for the (already range-checked) indices, renormed to maxNorm if given. */
export function embeddingGather(
  weight: FloatArray,
  dim: number,
  indices: ArrayLike<number>,
  maxNorm: number | null,
  normType: number,
  dtype: FloatDType,
  y: FloatArray,
): void {
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  for (let i = 0; i < indices.length; i++) {
    const row = weight.subarray(indices[i] * dim, (indices[i] + 1) * dim);
    y.set(row, i * dim);
    if (maxNorm === null) continue;
    const n = round(norm(row, normType));
    if (n > maxNorm) {
      // row *= scale: a double scalar times a float tensor multiplies in the tensor's dtype
      const scale = round(maxNorm / (n + 1e-7));
      for (let j = 0; j < dim; j++) y[i * dim + j] = row[j] * scale;
    }
  }
}
