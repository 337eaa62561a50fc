/**
 * The one matrix product of the reference engine: y = x Wᵀ + b, as `torch.nn.functional.linear`.
 * Dot products accumulate in double; each result is rounded once, when stored into `y`
 * (a Float32Array rounds to float32, a Float64Array keeps it).
 */
import type { FloatDType } from '../dtype.js';
import type { FloatArray } from './types.js';

/** A zero-filled array of the compute dtype. */
export function allocFloat(dtype: FloatDType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * y[r, o] = Σ_k x[r, k] · w[o, k] + b[o] for r < rows, o < outFeatures.
 * x: (rows, inFeatures), w: (outFeatures, inFeatures) row-major as in the state_dict, b: (outFeatures) or null.
 */
export function linear(
  x: FloatArray,
  rows: number,
  inFeatures: number,
  w: FloatArray,
  b: FloatArray | null,
  outFeatures: number,
  y: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const xr = r * inFeatures;
    const yr = r * outFeatures;
    for (let o = 0; o < outFeatures; o++) {
      const wo = o * inFeatures;
      let acc = 0;
      for (let k = 0; k < inFeatures; k++) acc += x[xr + k] * w[wo + k];
      y[yr + o] = b === null ? acc : acc + b[o];
    }
  }
}
