/**
 * Modules with seeded random weights for tests that compare two runtimes on the same module:
 * parameter names and shapes as PyTorch's state_dict has them (weight_ih_l{k}{_reverse}: (G·H,
 * I_k), weight_hh: (G·H, H_out), bias_ih / bias_hh: (G·H), weight_hr: (P, H); cells without
 * the _l{k} suffix).
 */
import { fromStateDict, Tensor, type RecurrentModule } from '../../dist/index.js';

export interface Config {
  readonly kind: 'RNN' | 'GRU' | 'LSTM' | 'RNNCell' | 'GRUCell' | 'LSTMCell';
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers?: number;
  readonly bidirectional?: boolean;
  readonly projSize?: number;
  readonly bias?: boolean;
  readonly batchFirst?: boolean;
  readonly nonlinearity?: 'tanh' | 'relu';
  readonly dtype?: 'float32' | 'float64';
}

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

/** A tensor of uniform values in [−scale, scale). */
export function randomTensor(shape: readonly number[], rand: () => number, dtype: 'float32' | 'float64' = 'float32', scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (2 * rand() - 1) * scale;
  return new Tensor(dtype, shape, data);
}

/** The state_dict of `c` with uniform weights in ±1/√H, as PyTorch initialises them. */
export function randomStateDict(c: Config, seed: number): Map<string, Tensor> {
  const rand = mulberry32(seed);
  const cell = c.kind.endsWith('Cell');
  const base = cell ? c.kind.slice(0, -4) : c.kind;
  const G = base === 'LSTM' ? 4 : base === 'GRU' ? 3 : 1;
  const H = c.hiddenSize;
  const P = c.projSize ?? 0;
  const Hout = P > 0 ? P : H;
  const D = c.bidirectional === true ? 2 : 1;
  const scale = 1 / Math.sqrt(H);
  const sd = new Map<string, Tensor>();
  const dtype = c.dtype ?? 'float32';
  for (let k = 0; k < (c.numLayers ?? 1); k++) {
    for (let dir = 0; dir < D; dir++) {
      const s = cell ? '' : `_l${k}${dir === 1 ? '_reverse' : ''}`;
      sd.set(`weight_ih${s}`, randomTensor([G * H, k === 0 ? c.inputSize : D * Hout], rand, dtype, scale));
      sd.set(`weight_hh${s}`, randomTensor([G * H, Hout], rand, dtype, scale));
      if (c.bias !== false) {
        sd.set(`bias_ih${s}`, randomTensor([G * H], rand, dtype, scale));
        sd.set(`bias_hh${s}`, randomTensor([G * H], rand, dtype, scale));
      }
      if (P > 0) sd.set(`weight_hr${s}`, randomTensor([P, H], rand, dtype, scale));
    }
  }
  return sd;
}

/** A module of config `c` on the reference engine (the oracle). */
export function randomModule(c: Config, seed: number): RecurrentModule {
  return fromStateDict(randomStateDict(c, seed), {
    engine: 'reference',
    ...(c.kind.endsWith('Cell') ? {} : { batchFirst: c.batchFirst === true }),
    ...(c.nonlinearity === undefined ? {} : { nonlinearity: c.nonlinearity }),
    ...(c.dtype === undefined ? {} : { dtype: c.dtype }),
  });
}
