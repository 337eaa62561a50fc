// The fast engine behind the modules: the default engine, the `simd` option, and `stream()`.
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, LSTMCell, RNN } from '../../../src/modules/index.js';
import type { SimdOption } from '../../../src/config.js';
import { mulberry32 } from '../../../src/random.js';
import { Tensor } from '../../../src/tensor.js';

const simd = (process.env.RNNPORT_TEST_SIMD ?? 'plain') as SimdOption;

/** Seeded values in [−1, 1). */
function rand(seed: number): () => number {
  const next = mulberry32(seed);
  return () => 2 * next() - 1;
}

function t(shape: number[], r: () => number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = r() * 0.5;
  return new Tensor(dtype, shape, data);
}

/** A state_dict for a stack: G gate blocks, L layers, optional projection. */
function weights(G: number, I: number, H: number, L: number, P = 0, dtype: 'float32' | 'float64' = 'float32'): Map<string, Tensor> {
  const r = rand(G * 1000 + I * 100 + H * 10 + L);
  const sd = new Map<string, Tensor>();
  const Hout = P > 0 ? P : H;
  for (let l = 0; l < L; l++) {
    sd.set(`weight_ih_l${l}`, t([G * H, l === 0 ? I : Hout], r, dtype));
    sd.set(`weight_hh_l${l}`, t([G * H, Hout], r, dtype));
    sd.set(`bias_ih_l${l}`, t([G * H], r, dtype));
    sd.set(`bias_hh_l${l}`, t([G * H], r, dtype));
    if (P > 0) sd.set(`weight_hr_l${l}`, t([P, H], r, dtype));
  }
  return sd;
}

const code = (c: string) => expect.objectContaining({ code: c });

describe('engine selection', () => {
  it('runs float32 and float64 modules on the fast engine by default', () => {
    expect(new GRU({ inputSize: 3, hiddenSize: 4 }, weights(3, 3, 4, 1)).engine).toBe('fast');
    expect(new GRU({ inputSize: 3, hiddenSize: 4 }, weights(3, 3, 4, 1, 0, 'float64')).engine).toBe('fast');
    expect(new GRU({ inputSize: 3, hiddenSize: 4, engine: 'reference' }, weights(3, 3, 4, 1)).engine).toBe('reference');
  });

  it('takes a simd option and rejects unknown builds with E_BAD_OPTION', () => {
    expect(new RNN({ inputSize: 3, hiddenSize: 4, simd }, weights(1, 3, 4, 1)).engine).toBe('fast');
    expect(() => new RNN({ inputSize: 3, hiddenSize: 4, simd: 'sse' as SimdOption }, weights(1, 3, 4, 1))).toThrow(code('E_BAD_OPTION'));
  });

  it('fast and reference modules agree on a 2-layer LSTM with projection', () => {
    const sd = weights(4, 5, 9, 2, 3);
    const x = t([6, 2, 5], rand(3));
    const fast = new LSTM({ inputSize: 5, hiddenSize: 9, numLayers: 2, projSize: 3, simd }, sd).forward(x);
    const ref = new LSTM({ inputSize: 5, hiddenSize: 9, numLayers: 2, projSize: 3, engine: 'reference' }, sd).forward(x);
    for (const [a, b] of [[fast.output, ref.output], [fast.hN, ref.hN], [fast.cN, ref.cN]] as const) {
      for (let i = 0; i < a.numel; i++) expect(Math.abs((a.data[i] as number) - (b.data[i] as number))).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe('stream()', () => {
  const T = 5, B = 3, I = 4, H = 6;

  it.each([
    ['LSTM with proj_size', () => new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, projSize: 2, simd }, weights(4, I, H, 2, 2))],
    ['GRU', () => new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, simd }, weights(3, I, H, 2))],
    ['RNN relu', () => new RNN({ inputSize: I, hiddenSize: H, nonlinearity: 'relu', simd }, weights(1, I, H, 1))],
    ['LSTM, reference engine', () => new LSTM({ inputSize: I, hiddenSize: H, engine: 'reference' }, weights(4, I, H, 1))],
    ['GRU, float64', () => new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, simd }, weights(3, I, H, 2, 0, 'float64'))],
  ])('%s: T steps equal one forward over T steps, from a given state', (_, make) => {
    const m = make();
    const dtype = m.dtype;
    const x = t([T, B, I], rand(7), dtype);
    const L = m.numLayers, Hout = m.projSize > 0 ? m.projSize : H;
    const h0 = t([L, B, Hout], rand(8), dtype);
    const c0 = t([L, B, H], rand(9), dtype);
    const lstm = m instanceof LSTM;
    const want = lstm ? m.forward(x, [h0, c0]) : (m as GRU).forward(x, h0);
    const s = m.stream({ batch: B });
    s.state = lstm ? [h0, c0] : h0;
    const out = dtype === 'float32' ? new Float32Array(B * Hout) : new Float64Array(B * Hout);
    for (let step = 0; step < T; step++) {
      s.step((x.data as Float32Array).subarray(step * B * I, (step + 1) * B * I), out);
      expect(out).toEqual((want.output.data as Float32Array).subarray(step * B * Hout, (step + 1) * B * Hout));
    }
    const state = s.state;
    expect(lstm ? (state as [Tensor, Tensor])[0].data : (state as Tensor).data).toEqual(want.hN.data);
    if (lstm) expect((state as [Tensor, Tensor])[1].data).toEqual((want as unknown as { cN: Tensor }).cN.data);
    s.dispose();
  });

  it('returns the same internal view every step on the fast engine (no allocation)', () => {
    const s = new GRU({ inputSize: I, hiddenSize: H, simd }, weights(3, I, H, 1)).stream({ batch: 2 });
    const x = new Float32Array(2 * I).fill(0.5);
    const first = s.step(x);
    expect(s.step(x)).toBe(first);
    s.reset();
    const again = s.step(new Tensor('float32', [2, I], x)).slice();
    s.reset();
    expect(s.step(x)).toEqual(again);
  });

  it('rejects bidirectional modules, bad batch, input and state shapes, and use after dispose', () => {
    const bi = new GRU({ inputSize: I, hiddenSize: H, bidirectional: true }, (() => {
      const sd = weights(3, I, H, 1);
      for (const [k, v] of [...sd]) sd.set(`${k}_reverse`, v);
      return sd;
    })());
    expect(() => bi.stream()).toThrow(code('E_BAD_OPTION'));
    const m = new LSTM({ inputSize: I, hiddenSize: H, simd }, weights(4, I, H, 1));
    expect(() => m.stream({ batch: 0 })).toThrow(code('E_BAD_OPTION'));
    const s = m.stream({ batch: 2 });
    expect(() => s.step(new Float32Array(3))).toThrow(code('E_INPUT_SIZE'));
    expect(() => s.step(new Float64Array(2 * I))).toThrow(code('E_INPUT_DTYPE'));
    expect(() => s.step(new Float32Array(2 * I), new Float32Array(1))).toThrow(code('E_BAD_OPTION'));
    expect(() => { s.state = t([1, 2, H], rand(1)) as never; }).toThrow(code('E_HIDDEN_SHAPE'));
    expect(() => { s.state = [t([1, 3, H], rand(1)), t([1, 3, H], rand(1))]; }).toThrow(code('E_HIDDEN_SHAPE'));
    s[Symbol.dispose]();
    expect(() => s.step(new Float32Array(2 * I))).toThrow(code('E_DISPOSED'));
  });

  it('modules and cells free their engine with Symbol.dispose', () => {
    const cell = new LSTMCell({ inputSize: I, hiddenSize: H, simd }, new Map([
      ['weight_ih', t([4 * H, I], rand(2))], ['weight_hh', t([4 * H, H], rand(3))],
      ['bias_ih', t([4 * H], rand(4))], ['bias_hh', t([4 * H], rand(5))],
    ]));
    cell[Symbol.dispose]();
    expect(() => cell.forward(t([I], rand(6)))).toThrow(code('E_DISPOSED'));
  });
});
