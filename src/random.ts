/**
 * Seeded randomness for checks that must replay exactly (explain's run on random weights, the
 * property tests): one generator, mulberry32, and PyTorch's default initialisation of a recurrent
 * module's parameters, U(−1/√H, 1/√H) (torch/nn/modules/rnn.py, RNNBase.reset_parameters).
 */
import { expectedParameters, type ModuleConfig, type ModuleKind } from './config.js';
import type { FloatDType } from './dtype.js';
import { Tensor } from './tensor.js';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tensor of `shape` drawn from `next`, uniform in [−bound, bound). */
export function uniformTensor(next: () => number, shape: readonly number[], bound: number, dtype: FloatDType = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (2 * next() - 1) * bound;
  return new Tensor(dtype, shape, data);
}

/**
 * Every parameter of a `kind` module, PyTorch's names (no prefix), initialised as PyTorch does:
 * U(−1/√H, 1/√H), drawn from `next` in registration order.
 */
export function initialStateDict(kind: ModuleKind, config: ModuleConfig, next: () => number, dtype: FloatDType = 'float32'): Map<string, Tensor> {
  const bound = 1 / Math.sqrt(config.hiddenSize);
  return new Map(expectedParameters(kind, config).map((p) => [p.name, uniformTensor(next, p.shape, bound, dtype)]));
}
