/**
 * Documented invariants of the reference engine through the public modules (docs/semantics.md),
 * on random small configurations. Equalities are exact: every compared value is computed by
 * the same operations in the same order. fast-check prints { seed, path } on failure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FloatDType } from '../../src/dtype.js';
import { packPaddedSequence, padPackedSequence, type PackedSequence } from '../../src/engine/packed.js';
import type { Mode } from '../../src/config.js';
import { GRUCell, LSTMCell, RNNCell } from '../../src/modules/cells.js';
import { GRU, LSTM, RNN } from '../../src/modules/rnn.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose, uniform, uniformFill, weightsFor, type Config } from '../unit/modules/helpers.js';

const RUNS = { numRuns: 200 };

interface Case {
  readonly config: Config;
  readonly T: number;
  readonly B: number;
  readonly batchFirst: boolean;
  readonly withState: boolean;
  readonly seed: number;
}

const caseArb = (o: { maxLayers?: number; minB?: number } = {}): fc.Arbitrary<Case> =>
  fc
    .record({
      mode: fc.constantFrom<Mode>('RNN_TANH', 'RNN_RELU', 'GRU', 'LSTM'),
      inputSize: fc.integer({ min: 1, max: 4 }),
      hiddenSize: fc.integer({ min: 1, max: 4 }),
      numLayers: fc.integer({ min: 1, max: o.maxLayers ?? 3 }),
      bidirectional: fc.boolean(),
      bias: fc.boolean(),
      proj: fc.nat(),
      T: fc.integer({ min: 1, max: 5 }),
      B: fc.integer({ min: o.minB ?? 0, max: 4 }),
      batchFirst: fc.boolean(),
      withState: fc.boolean(),
      seed: fc.nat(),
    })
    .map(({ proj, T, B, batchFirst, withState, seed, ...c }) => ({
      config: { ...c, projSize: c.mode === 'LSTM' ? proj % c.hiddenSize : 0 },
      T,
      B,
      batchFirst,
      withState,
      seed,
    }));

type Module = RNN | GRU | LSTM;
interface Out<O> {
  output: O;
  hN: Tensor;
  cN: Tensor | null;
}

function build(c: Config, seed: number, dtype: FloatDType = 'float32', batchFirst = false): Module {
  return fromWeights(c, weightsFor(c, uniformFill(seed, dtype)), { batchFirst, dtype });
}

function fromWeights(c: Config, w: Map<string, Tensor>, extra: { batchFirst?: boolean; dtype?: FloatDType } = {}): Module {
  const { mode, projSize, ...options } = c;
  if (mode === 'LSTM') return new LSTM({ ...options, ...extra, projSize }, w);
  if (mode === 'GRU') return new GRU({ ...options, ...extra }, w);
  return new RNN({ ...options, ...extra, nonlinearity: mode === 'RNN_RELU' ? 'relu' : 'tanh' }, w);
}

function run<I extends Tensor | PackedSequence>(m: Module, input: I, h0?: Tensor, c0?: Tensor): Out<I> {
  const r = m.forward(input, h0 !== undefined && c0 !== undefined && m.mode === 'LSTM' ? [h0, c0] : h0);
  return { output: r.output as I, hN: r.hN, cN: r.cN ?? null };
}

const sizes = (c: Config): { D: number; Hout: number; LD: number } => {
  const D = c.bidirectional ? 2 : 1;
  return { D, Hout: c.projSize > 0 ? c.projSize : c.hiddenSize, LD: c.numLayers * D };
};

/** States for a case (or undefined), seeded apart from the input. */
function states(k: Case, dtype: FloatDType = 'float32'): [Tensor | undefined, Tensor | undefined] {
  if (!k.withState) return [undefined, undefined];
  const { LD, Hout } = sizes(k.config);
  return [uniform([LD, k.B, Hout], k.seed + 1, dtype), uniform([LD, k.B, k.config.hiddenSize], k.seed + 2, dtype)];
}

/** Rows b of a (P, B, F) array. */
const rowsOf = (t: Tensor, P: number, B: number, F: number, b: number): number[] =>
  Array.from({ length: P }, (_, p) => [...t.data.slice((p * B + b) * F, (p * B + b + 1) * F)] as number[]).flat();

describe('reference engine invariants', () => {
  it('output[T−1, :, :H_out] = h_n[last layer, forward]; output[0, :, H_out:] = h_n[last layer, reverse]', () => {
    fc.assert(
      fc.property(caseArb(), (k) => {
        const { D, Hout, LD } = sizes(k.config);
        const m = build(k.config, k.seed);
        const [h0, c0] = states(k);
        const { output, hN } = run(m, uniform([k.T, k.B, k.config.inputSize], k.seed), h0, c0);
        // h_n viewed as (L, D, B, H_out): the last layer's directions are its last D blocks.
        const W = D * Hout;
        for (let b = 0; b < k.B; b++) {
          const last = output.data.slice(((k.T - 1) * k.B + b) * W, ((k.T - 1) * k.B + b) * W + Hout);
          expect([...last]).toEqual(rowsOf(hN, LD, k.B, Hout, b).slice((LD - D) * Hout, (LD - D + 1) * Hout));
          if (D === 2) {
            const first = output.data.slice(b * W + Hout, (b + 1) * W);
            expect([...first]).toEqual(rowsOf(hN, LD, k.B, Hout, b).slice((LD - 1) * Hout));
          }
        }
      }),
      RUNS,
    );
  });

  it('batch_first is the transposed computation', () => {
    fc.assert(
      fc.property(caseArb(), (k) => {
        const I = k.config.inputSize;
        const x = uniform([k.T, k.B, I], k.seed);
        const xt = new Tensor('float32', [k.B, k.T, I], new Float32Array(x.numel));
        for (let t = 0; t < k.T; t++) for (let b = 0; b < k.B; b++) for (let i = 0; i < I; i++) xt.data[(b * k.T + t) * I + i] = x.data[(t * k.B + b) * I + i] as number;
        const [h0, c0] = states(k);
        const a = run(build(k.config, k.seed), x, h0, c0);
        const r = run(build(k.config, k.seed, 'float32', true), xt, h0, c0);
        const W = a.output.shape[2] as number;
        for (let t = 0; t < k.T; t++) {
          for (let b = 0; b < k.B; b++) {
            expect([...r.output.data.slice((b * k.T + t) * W, (b * k.T + t + 1) * W)]).toEqual([...a.output.data.slice((t * k.B + b) * W, (t * k.B + b + 1) * W)]);
          }
        }
        expect(r.hN.data).toEqual(a.hN.data);
        expect(r.cN?.data).toEqual(a.cN?.data);
      }),
      RUNS,
    );
  });

  it('unbatched input is a batch of one', () => {
    fc.assert(
      fc.property(caseArb(), (k) => {
        const { LD, Hout } = sizes(k.config);
        const x = uniform([k.T, k.config.inputSize], k.seed);
        const h0 = k.withState ? uniform([LD, Hout], k.seed + 1) : undefined;
        const c0 = k.withState ? uniform([LD, k.config.hiddenSize], k.seed + 2) : undefined;
        const m = build(k.config, k.seed, 'float32', k.batchFirst);
        const u = run(m, x, h0, c0);
        const one = run(build(k.config, k.seed), x.reshape([k.T, 1, k.config.inputSize]), h0?.reshape([LD, 1, Hout]), c0?.reshape([LD, 1, k.config.hiddenSize]));
        expect(u.output.shape).toEqual([k.T, one.output.shape[2]]);
        expect(u.output.data).toEqual(one.output.data);
        expect(u.hN.shape).toEqual([LD, Hout]);
        expect(u.hN.data).toEqual(one.hN.data);
        expect(u.cN?.data).toEqual(one.cN?.data);
      }),
      RUNS,
    );
  });

  it('a packed batch is each sequence run alone at its own length', () => {
    fc.assert(
      fc.property(caseArb({ minB: 1 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }), (k, lens) => {
        const { D, Hout, LD } = sizes(k.config);
        const H = k.config.hiddenSize;
        const I = k.config.inputSize;
        const lengths = lens.slice(0, k.B).map((l) => Math.min(l, k.T));
        const x = uniform([k.T, k.B, I], k.seed);
        const [h0, c0] = states(k);
        const m = build(k.config, k.seed);
        const packed = run(m, packPaddedSequence(x, lengths, { enforceSorted: false }), h0, c0);
        const [padded] = padPackedSequence(packed.output, { paddingValue: NaN, totalLength: k.T });
        const W = D * Hout;
        for (let b = 0; b < k.B; b++) {
          const L = lengths[b] as number;
          const xb = new Tensor('float32', [L, 1, I], Float32Array.from(rowsOf(x, L, k.B, I, b)));
          const pick = (t: Tensor | undefined, F: number): Tensor | undefined => t && new Tensor('float32', [LD, 1, F], Float32Array.from(rowsOf(t, LD, k.B, F, b)));
          const alone = run(m, xb, pick(h0, Hout), pick(c0, H));
          expect(rowsOf(padded, L, k.B, W, b)).toEqual([...alone.output.data]);
          expect(rowsOf(padded, k.T, k.B, W, b).slice(L * W).every(Number.isNaN)).toBe(true);
          expect(rowsOf(packed.hN, LD, k.B, Hout, b)).toEqual([...alone.hN.data]);
          if (packed.cN !== null) expect(rowsOf(packed.cN, LD, k.B, H, b)).toEqual([...(alone.cN as Tensor).data]);
        }
      }),
      RUNS,
    );
  });

  it('a cell stepped T times is the 1-layer module', () => {
    fc.assert(
      fc.property(caseArb({ maxLayers: 1 }), (k) => {
        const c = { ...k.config, bidirectional: false, projSize: 0 };
        const { inputSize: I, hiddenSize: H } = c;
        const cellWeights = new Map([...weightsFor(c, uniformFill(k.seed))].map(([name, t]) => [name.replace('_l0', ''), t]));
        const opts = { inputSize: I, hiddenSize: H, bias: c.bias };
        const cell =
          c.mode === 'LSTM' ? new LSTMCell(opts, cellWeights) : c.mode === 'GRU' ? new GRUCell(opts, cellWeights) : new RNNCell({ ...opts, nonlinearity: c.mode === 'RNN_RELU' ? 'relu' : 'tanh' }, cellWeights);
        const x = uniform([k.T, k.B, I], k.seed);
        const full = run(build(c, k.seed), x);
        let h: Tensor = new Tensor('float32', [k.B, H], new Float32Array(k.B * H));
        let cs: Tensor = new Tensor('float32', [k.B, H], new Float32Array(k.B * H));
        for (let t = 0; t < k.T; t++) {
          const xt = new Tensor('float32', [k.B, I], (x.data as Float32Array).slice(t * k.B * I, (t + 1) * k.B * I));
          if (cell instanceof LSTMCell) [h, cs] = ((r) => [r.hN, r.cN])(cell.forward(xt, [h, cs]));
          else h = cell.forward(xt, h).hN;
          expect(h.data).toEqual((full.output.data as Float32Array).slice(t * k.B * H, (t + 1) * k.B * H));
        }
        expect(h.data).toEqual(full.hN.data);
        if (full.cN !== null) expect(cs.data).toEqual(full.cN.data);
      }),
      RUNS,
    );
  });

  it('an L-layer module is L chained 1-layer modules', () => {
    fc.assert(
      fc.property(caseArb(), (k) => {
        const { D, Hout, LD } = sizes(k.config);
        const H = k.config.hiddenSize;
        const all = weightsFor(k.config, uniformFill(k.seed));
        const [h0, c0] = states(k);
        const whole = run(build(k.config, k.seed), uniform([k.T, k.B, k.config.inputSize], k.seed), h0, c0);
        let x = uniform([k.T, k.B, k.config.inputSize], k.seed);
        for (let layer = 0; layer < k.config.numLayers; layer++) {
          const c = { ...k.config, numLayers: 1, inputSize: layer === 0 ? k.config.inputSize : D * Hout };
          const w = new Map([...all].filter(([n]) => n.includes(`_l${layer}`)).map(([n, t]) => [n.replace(`_l${layer}`, '_l0'), t]));
          const slice = (t: Tensor | undefined, F: number): Tensor | undefined =>
            t && new Tensor('float32', [D, k.B, F], (t.data as Float32Array).slice(layer * D * k.B * F, (layer + 1) * D * k.B * F));
          const one = fromWeights(c, w);
          const r = run(one, x, slice(h0, Hout), slice(c0, H));
          expect(r.hN.data).toEqual((whole.hN.data as Float32Array).slice(layer * D * k.B * Hout, (layer + 1) * D * k.B * Hout));
          if (r.cN !== null) expect(r.cN.data).toEqual((whole.cN?.data as Float32Array).slice(layer * D * k.B * H, (layer + 1) * D * k.B * H));
          x = r.output;
        }
        expect(x.data).toEqual(whole.output.data);
        expect(LD).toBe(k.config.numLayers * D);
      }),
      RUNS,
    );
  });

  it('float32 is within tolerance of float64', () => {
    fc.assert(
      fc.property(caseArb(), (k) => {
        const f32 = build(k.config, k.seed, 'float32');
        const w64 = new Map([...f32.stateDict()].map(([n, t]) => [n, t.to('float64')]));
        const f64 = fromWeights(k.config, w64);
        const x = uniform([k.T, k.B, k.config.inputSize], k.seed);
        const [h0, c0] = states(k);
        const a = run(f32, x, h0, c0);
        const b = run(f64, x.to('float64'), h0?.to('float64'), c0?.to('float64'));
        expectClose(a.output, b.output.shape, b.output.data as Float64Array);
        expectClose(a.hN, b.hN.shape, b.hN.data as Float64Array);
        if (a.cN !== null) expectClose(a.cN, (b.cN as Tensor).shape, (b.cN as Tensor).data as Float64Array);
      }),
      RUNS,
    );
  });

  it('permuting the batch permutes the results', () => {
    fc.assert(
      fc.property(caseArb({ minB: 1 }), fc.nat(), (k, s) => {
        const { Hout, LD } = sizes(k.config);
        const I = k.config.inputSize;
        const H = k.config.hiddenSize;
        const perm = Array.from({ length: k.B }, (_, i) => i).sort((a, b) => ((a * 7919 + s) % 13) - ((b * 7919 + s) % 13) || a - b);
        const permute = (t: Tensor | undefined, P: number, F: number): Tensor | undefined =>
          t && new Tensor('float32', [P, k.B, F], Float32Array.from({ length: P * k.B * F }, (_, i) => {
            const p = Math.floor(i / (k.B * F));
            const b = Math.floor(i / F) % k.B;
            return t.data[(p * k.B + (perm[b] as number)) * F + (i % F)] as number;
          }));
        const x = uniform([k.T, k.B, I], k.seed);
        const [h0, c0] = states(k);
        const m = build(k.config, k.seed);
        const a = run(m, x, h0, c0);
        const b = run(m, permute(x, k.T, I) as Tensor, permute(h0, LD, Hout), permute(c0, LD, H));
        const W = a.output.shape[2] as number;
        expect(b.output.data).toEqual(permute(a.output, k.T, W)?.data);
        expect(b.hN.data).toEqual(permute(a.hN, LD, Hout)?.data);
        if (a.cN !== null) expect(b.cN?.data).toEqual(permute(a.cN, LD, H)?.data);
      }),
      RUNS,
    );
  });
});

