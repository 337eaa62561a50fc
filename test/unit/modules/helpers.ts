/** Test helpers for modules: deterministic weights, and closeness with the comparison rule of docs/cli.md. */
import { expect } from 'vitest';
import { expectedParameters, familyOf, type StackConfig } from '../../../src/config.js';
import type { FloatDType } from '../../../src/dtype.js';
import { mulberry32 } from '../../../src/random.js';
import { Tensor } from '../../../src/tensor.js';

/** The values ((i·7 + s·3) mod 11 − 5) / 8: exact in every float dtype, as in the PyTorch snippets. */
export function pattern(shape: readonly number[], s: number, dtype: FloatDType = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (((i * 7 + s * 3) % 11) - 5) / 8;
  return new Tensor(dtype, shape, data);
}

/** Hyper-parameters for building test weights. */
export type Config = StackConfig;

/**
 * Parameters in PyTorch's registration order, each filled by `fill(shape, s)` with s its index
 * in `named_parameters()` (so `pattern` reproduces `fill(p, s)` in the PyTorch snippets).
 */
export function weightsFor(c: Config, fill: (shape: readonly number[], s: number) => Tensor, cell = false): Map<string, Tensor> {
  const family = familyOf(c.mode);
  const kind = cell ? (`${family}Cell` as const) : family;
  return new Map(expectedParameters(kind, c).map((p, s) => [p.name, fill(p.shape, s)]));
}

/** |got − exp| ≤ atol + rtol·|exp| elementwise, shapes equal (docs/cli.md, "Comparisons"). */
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

/** mulberry32 (src/random.ts, the generator explain uses): seeded floats in [0, 1). */
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
