// Random recurrent stacks for the fast-engine tests: configs, PyTorch-like weights
// (U(−1/√H, 1/√H)), packed batch sizes, optional h0 / c0, and inputs at scale 1 or 50 (saturating).
import fc from 'fast-check';
import { gateCount, numDirections, outSize, type Mode, type StackConfig } from '../../../src/config.js';
import type { FloatDType } from '../../../src/dtype.js';
import type { StackInput, StackWeights } from '../../../src/engine/types.js';
import { mulberry32 } from '../../../src/random.js';

export interface CaseSpec extends StackConfig {
  /** Sequence lengths, non-increasing (the packed, sorted order). */
  readonly lengths: readonly number[];
  readonly withState: boolean;
  readonly scale: number;
  readonly seed: number;
}

export function stackCase(limits: { maxLayers?: number; bidirectional?: boolean } = {}): fc.Arbitrary<CaseSpec> {
  return fc
    .record({
      mode: fc.constantFrom<Mode>('RNN_TANH', 'RNN_RELU', 'GRU', 'LSTM'),
      inputSize: fc.integer({ min: 1, max: 21 }),
      hiddenSize: fc.integer({ min: 1, max: 19 }),
      numLayers: fc.integer({ min: 1, max: limits.maxLayers ?? 3 }),
      bidirectional: limits.bidirectional === false ? fc.constant(false) : fc.boolean(),
      projFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      bias: fc.boolean(),
      lengths: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }),
      withState: fc.boolean(),
      scale: fc.constantFrom(1, 1, 1, 50),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
    })
    .map(({ projFraction, lengths, ...rest }) => ({
      ...rest,
      // proj_size in [1, H) for LSTM about half the time
      projSize: rest.mode === 'LSTM' && rest.hiddenSize > 1 && projFraction > 0.5 ? 1 + Math.floor((projFraction - 0.5) * 2 * (rest.hiddenSize - 1)) : 0,
      lengths: [...lengths].sort((a, b) => b - a),
    }));
}

/** Uniform in [lo, hi) from the seeded generator, so that a failing spec replays exactly. */
function uniform(seed: number): (lo: number, hi: number) => number {
  const next = mulberry32(seed);
  return (lo, hi) => lo + (hi - lo) * next();
}

function fill(n: number, rand: (lo: number, hi: number) => number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand(-bound, bound);
  return a;
}

/** Batch sizes of sorted lengths: batchSizes[t] = #{b : lengths[b] > t}. */
export function batchSizesOf(lengths: readonly number[]): Int32Array {
  const T = lengths[0];
  const bs = new Int32Array(T);
  for (let t = 0; t < T; t++) bs[t] = lengths.filter((l) => l > t).length;
  return bs;
}

/** The stack of a spec; float64 holds the same (float32-representable) values. */
export function randomCase(spec: CaseSpec, dtype: FloatDType = 'float32'): { config: StackConfig; weights: StackWeights; input: StackInput } {
  const rand = uniform(spec.seed);
  const { mode, inputSize, hiddenSize: H, numLayers: L, bidirectional, projSize, bias } = spec;
  const config: StackConfig = { mode, inputSize, hiddenSize: H, numLayers: L, bidirectional, projSize, bias };
  const D = numDirections(config);
  const G = gateCount(mode);
  const Hout = outSize(config);
  const k = 1 / Math.sqrt(H);
  const layers = [];
  for (let i = 0; i < L * D; i++) {
    const inSize = i < D ? inputSize : D * Hout;
    layers.push({
      wIh: fill(G * H * inSize, rand, k),
      wHh: fill(G * H * Hout, rand, k),
      bIh: spec.bias ? fill(G * H, rand, k) : null,
      bHh: spec.bias ? fill(G * H, rand, k) : null,
      wHr: projSize > 0 ? fill(projSize * H, rand, k) : null,
    });
  }
  const batchSizes = batchSizesOf(spec.lengths);
  const B = spec.lengths.length;
  const N = spec.lengths.reduce((a, b) => a + b, 0);
  const input: StackInput = {
    x: fill(N * inputSize, rand, spec.scale),
    batchSizes,
    h0: spec.withState ? fill(L * D * B * Hout, rand, 1) : null,
    c0: spec.withState && mode === 'LSTM' ? fill(L * D * B * H, rand, 1) : null,
  };
  if (dtype === 'float32') return { config, weights: { dtype, layers }, input };
  const f64 = (a: ArrayLike<number> | null): Float64Array | null => (a === null ? null : Float64Array.from(a));
  return {
    config,
    weights: {
      dtype,
      layers: layers.map((l) => ({ wIh: Float64Array.from(l.wIh), wHh: Float64Array.from(l.wHh), bIh: f64(l.bIh), bHh: f64(l.bHh), wHr: f64(l.wHr) })),
    },
    input: { ...input, x: Float64Array.from(input.x), h0: f64(input.h0), c0: f64(input.c0) },
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}
