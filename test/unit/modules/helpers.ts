/** Test helpers for modules: deterministic weights, and closeness with CONTRACTS.md's rule. */
import { expect } from 'vitest';
import type { FloatDType } from '../../../src/dtype.js';
import type { Mode } from '../../../src/engine/types.js';
import { paramName } from '../../../src/state-dict/names.js';
import { mulberry32 } from '../../../src/explain/explain.js';
import { Tensor } from '../../../src/tensor.js';

/** The values ((i·7 + s·3) mod 11 − 5) / 8: exact in every float dtype, as in the PyTorch snippets. */
export function pattern(shape: readonly number[], s: number, dtype: FloatDType = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (((i * 7 + s * 3) % 11) - 5) / 8;
  return new Tensor(dtype, shape, data);
}

/** Hyper-parameters for building test weights. */
export interface Config {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  readonly projSize: number;
}

/**
 * Parameters in PyTorch's registration order, each filled by `fill(shape, s)` with s its index
 * in `named_parameters()` (so `pattern` reproduces `fill(p, s)` in the PyTorch snippets).
 */
export function weightsFor(c: Config, fill: (shape: readonly number[], s: number) => Tensor, cell = false): Map<string, Tensor> {
  const G = c.mode === 'LSTM' ? 4 : c.mode === 'GRU' ? 3 : 1;
  const H = c.hiddenSize;
  const Hout = c.projSize > 0 ? c.projSize : H;
  const D = c.bidirectional ? 2 : 1;
  const out = new Map<string, Tensor>();
  for (let layer = 0; layer < c.numLayers; layer++) {
    for (let d = 0; d < D; d++) {
      const name = (k: Parameters<typeof paramName>[0]): string => paramName(k, cell ? null : layer, d === 1);
      const add = (key: string, shape: number[]): void => void out.set(key, fill(shape, out.size));
      add(name('weight_ih'), [G * H, layer === 0 ? c.inputSize : D * Hout]);
      add(name('weight_hh'), [G * H, Hout]);
      if (c.bias) {
        add(name('bias_ih'), [G * H]);
        add(name('bias_hh'), [G * H]);
      }
      if (c.projSize > 0) add(name('weight_hr'), [c.projSize, H]);
    }
  }
  return out;
}

/** |got − exp| ≤ atol + rtol·|exp| elementwise, shapes equal (CONTRACTS.md "Comparisons"). */
export function expectClose(got: Tensor, shape: readonly number[], expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void {
  expect(got.shape).toEqual(shape);
  expect(got.numel).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const g = got.data[i] as number;
    if (!(Math.abs(g - e) <= atol + rtol * Math.abs(e))) expect.fail(`element ${i}: got ${g}, expected ${e}`);
  }
}

export { codeAt, codeOf } from '../../support/errors.js';

/** mulberry32 (the generator explain uses): seeded floats in [0, 1). */
export { mulberry32 as rng };

/** A fill for `weightsFor`: uniform in [−scale, scale), seeded per parameter. */
export function uniformFill(seed: number, dtype: FloatDType = 'float32', scale = 1): (shape: readonly number[], s: number) => Tensor {
  return (shape, s) => uniform(shape, seed * 1000 + s, dtype, scale);
}

/** A tensor uniform in [−scale, scale), seeded. */
export function uniform(shape: readonly number[], seed: number, dtype: FloatDType = 'float32', scale = 1): Tensor {
  const next = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (2 * next() - 1) * scale;
  return new Tensor(dtype, shape, data);
}
