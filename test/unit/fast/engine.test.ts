// The fast engine's own behaviour: kernel selection, float32-accurate saturating nonlinearities,
// edge shapes, float64 fallback, dispose.
import { describe, expect, it } from 'vitest';
import type { StackConfig } from '../../../src/config.js';
import type { LayerWeights, StackWeights } from '../../../src/engine/types.js';
import { referenceEngine } from '../../../src/engine/reference.js';
import { createFastEngine, fastEngineAvailable, initFastEngine } from '../../../src/fast/engine.js';
import type { SimdOption } from '../../../src/config.js';
import { resolveSimd, simdSupported } from '../../../src/fast/wasm.js';
import { maxAbsDiff, randomCase, type CaseSpec } from './cases.js';

const simd = (process.env.RNNPORT_TEST_SIMD ?? 'plain') as SimdOption;
const fast = createFastEngine({ simd });

/** A 1-unit, 1-input layer: weights given per gate row. */
function unit(mode: StackConfig['mode'], wIh: number[]): { config: StackConfig; weights: StackWeights } {
  const G = wIh.length;
  const layer: LayerWeights = { wIh: Float32Array.from(wIh), wHh: new Float32Array(G), bIh: null, bHh: null, wHr: null };
  return {
    config: { mode, inputSize: 1, hiddenSize: 1, numLayers: 1, bidirectional: false, projSize: 0, bias: false },
    weights: { dtype: 'float32', layers: [layer] },
  };
}

/** Runs the unit layer on each value of xs as its own sequence of one step (B = xs.length). */
function apply(mode: StackConfig['mode'], wIh: number[], xs: Float32Array, h0: number): Float32Array {
  const { config, weights } = unit(mode, wIh);
  const B = xs.length;
  const prepared = fast.prepare(config, weights);
  const out = prepared.run({ x: xs, batchSizes: Int32Array.of(B), h0: new Float32Array(B).fill(h0), c0: null });
  prepared.dispose();
  return out.hN as Float32Array;
}

const grid = Float32Array.from({ length: 4001 }, (_, i) => (i - 2000) / 100);
const ulps = (got: number, want: number): number => Math.abs(got - want) / Math.max(Math.abs(want) * 2 ** -23, 2 ** -149);

describe('kernel selection', () => {
  it(`runs the ${simd} build in this project`, () => {
    expect(fastEngineAvailable()).toBe(true);
    expect(resolveSimd(simd)).toBe(simd);
    if (simd === 'relaxed') expect(resolveSimd('auto')).toBe('relaxed');
  });

  it('rejects an unknown build, and relaxed where the runtime cannot validate it, with E_BAD_OPTION', () => {
    expect(() => resolveSimd('avx' as SimdOption)).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
    if (!simdSupported('relaxed')) expect(() => resolveSimd('relaxed')).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
  });
});

describe('nonlinearities', () => {
  it('tanh is within 4 float32 ulps of Math.tanh on [−20, 20] and exactly ±1 when saturated', () => {
    const got = apply('RNN_TANH', [1], grid, 0);
    for (let i = 0; i < grid.length; i++) expect(ulps(got[i], Math.fround(Math.tanh(grid[i])))).toBeLessThanOrEqual(4);
    expect(Array.from(apply('RNN_TANH', [1], Float32Array.of(9.1, -9.1, 1e30, -1e30, 3e38), 0))).toEqual([1, -1, 1, -1, 1]);
  });

  it('sigmoid (GRU z with h = 1) is within 4 ulps of 1 / (1 + e^−x) and exactly 1 / ≈0 when saturated', () => {
    // r = σ(0), z = σ(x), n = tanh(0) = 0, h' = (1 − 0)·z + 0 = σ(x)
    const got = apply('GRU', [0, 1, 0], grid, 1);
    for (let i = 0; i < grid.length; i++) expect(ulps(got[i], Math.fround(1 / (1 + Math.exp(-grid[i]))))).toBeLessThanOrEqual(4);
    const sat = apply('GRU', [0, 1, 0], Float32Array.of(20, 1e30, -1e30, -200), 1);
    expect(sat[0]).toBe(1);
    expect(sat[1]).toBe(1);
    expect(sat[2]).toBeLessThan(1e-37);
    expect(sat[3]).toBeLessThan(1e-37);
  });

  it('never makes NaN from large finite pre-activations (LSTM at scale 1e30)', () => {
    const { config, weights, input } = randomCase({
      mode: 'LSTM', inputSize: 4, hiddenSize: 9, numLayers: 2, bidirectional: true, projSize: 0,
      bias: true, lengths: [3, 2], withState: true, scale: 1e30, seed: 9,
    });
    const out = fast.prepare(config, weights).run(input);
    expect(out.output.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
  });
});

describe('long inputs', () => {
  it.each<[string, number[]]>([
    // 2400 rows: the input projection runs in chunks of ≤ 1024 rows, forward and reverse
    ['packed lengths across chunk boundaries', Array.from({ length: 40 }, (_, b) => 60 - b)],
    // batch 70 > the GEMM's 64-row block, for the recurrent product too
    ['a batch wider than a GEMM row block', Array.from({ length: 70 }, () => 3)],
    // batch 1 with a projection: per-step kernels, across chunk boundaries
    ['one sequence of 1500 steps', [1500]],
  ])('matches the reference engine on %s', (_, lengths) => {
    const { config, weights, input } = randomCase({
      mode: 'LSTM', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2,
      bias: true, lengths, withState: true, scale: 1, seed: 12,
    });
    const got = fast.prepare(config, weights).run(input);
    const want = referenceEngine.prepare(config, weights).run(input);
    expect(maxAbsDiff(got.output, want.output)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(got.hN, want.hN)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(got.cN as Float32Array, want.cN as Float32Array)).toBeLessThanOrEqual(1e-5);
  });
});

describe('batch 1 (seq1)', () => {
  it.each<StackConfig['mode']>(['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'])('%s matches the reference engine over 1100 steps (two chunks), both directions', (mode) => {
    const { config, weights, input } = randomCase({
      mode, inputSize: 3, hiddenSize: 7, numLayers: 2, bidirectional: true, projSize: 0,
      bias: true, lengths: [1100], withState: true, scale: 1, seed: 13,
    });
    const got = fast.prepare(config, weights).run(input);
    const want = referenceEngine.prepare(config, weights).run(input);
    expect(maxAbsDiff(got.output, want.output)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(got.hN, want.hN)).toBeLessThanOrEqual(1e-5);
    if (mode === 'LSTM') expect(maxAbsDiff(got.cN as Float32Array, want.cN as Float32Array)).toBeLessThanOrEqual(1e-5);
  });
});

describe('fast engine', () => {
  const spec: CaseSpec = {
    mode: 'GRU', inputSize: 3, hiddenSize: 6, numLayers: 1, bidirectional: false, projSize: 0,
    bias: false, lengths: [2], withState: false, scale: 1, seed: 1,
  };
  const { config, weights, input } = randomCase(spec);

  it('runs float32 and float64 stacks in WASM', () => {
    expect(fast.prepare(config, weights).engine.name).toBe('fast');
    expect(fast.prepare(config, randomCase(spec, 'float64').weights).engine.name).toBe('fast');
  });

  it('returns empty results for an empty batch', () => {
    const out = fast.prepare(config, weights).run({ x: new Float32Array(0), batchSizes: Int32Array.of(0, 0), h0: null, c0: null });
    expect(out.output.length).toBe(0);
    expect(out.hN.length).toBe(0);
  });

  it('compiles asynchronously with initFastEngine (what a browser main thread may need)', async () => {
    await initFastEngine(simd);
    expect(fastEngineAvailable(simd)).toBe(true);
  });

  it('throws E_DISPOSED after dispose()', () => {
    const prepared = fast.prepare(config, weights);
    prepared.dispose();
    expect(() => prepared.run(input)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
  });
});
