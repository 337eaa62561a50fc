// A hand-written port of nn.RNN / nn.GRU / nn.LSTM and the cells, the kind users write, with
// switches that plant the bugs ports are known for. It shares no code with rnnport's engines:
// plain loops over float64 arrays, time-major, one sequence at a time.
import { unsupported, type Implementation, type RunRequest } from '../../src/testing.js';
import { Tensor } from '../../src/tensor.js';

export type Bug = 'none' | 'bidirectional h_n rows swapped' | 'GRU reset before' | 'LSTM gates in TF order' | 'packed h_n taken at T';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** One step of a cell for one sequence: returns [h', c']. */
function step(kind: string, relu: boolean, bug: Bug, w: Map<string, Float64Array>, sfx: string, x: Float64Array, h: Float64Array, c: Float64Array, H: number): [Float64Array, Float64Array] {
  const wih = w.get(`weight_ih${sfx}`) as Float64Array, whh = w.get(`weight_hh${sfx}`) as Float64Array;
  const bih = w.get(`bias_ih${sfx}`), bhh = w.get(`bias_hh${sfx}`);
  const G = kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1;
  const gi = new Float64Array(G * H), gh = new Float64Array(G * H);
  for (let r = 0; r < G * H; r++) {
    let a = bih?.[r] ?? 0, b = bhh?.[r] ?? 0;
    for (let k = 0; k < x.length; k++) a += wih[r * x.length + k] * x[k];
    for (let k = 0; k < H; k++) b += whh[r * H + k] * h[k];
    gi[r] = a;
    gh[r] = b;
  }
  const h2 = new Float64Array(H), c2 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    if (kind === 'RNN') {
      const v = gi[j] + gh[j];
      h2[j] = relu ? Math.max(0, v) : Math.tanh(v);
    } else if (kind === 'GRU') {
      const r = sigmoid(gi[j] + gh[j]), z = sigmoid(gi[H + j] + gh[H + j]);
      // reset after: r multiplies (W_hn h + b_hn); "reset before" applies r to h first (the paper's GRU)
      let n: number;
      if (bug === 'GRU reset before') {
        let acc = bhh?.[2 * H + j] ?? 0;
        for (let k = 0; k < H; k++) acc += whh[(2 * H + j) * H + k] * r * h[k];
        n = Math.tanh(gi[2 * H + j] + acc);
      } else {
        n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
      }
      h2[j] = (1 - z) * n + z * h[j];
    } else {
      // PyTorch's blocks are i, f, g, o; TF 1's LSTMCell reads them as i, g (j), f, o
      const [I, F, Gb, O] = bug === 'LSTM gates in TF order' ? [0, 2, 1, 3] : [0, 1, 2, 3];
      const i = sigmoid(gi[I * H + j] + gh[I * H + j]), f = sigmoid(gi[F * H + j] + gh[F * H + j]);
      const g = Math.tanh(gi[Gb * H + j] + gh[Gb * H + j]), o = sigmoid(gi[O * H + j] + gh[O * H + j]);
      c2[j] = f * c[j] + i * g;
      h2[j] = o * Math.tanh(c2[j]);
    }
  }
  return [h2, c2];
}

/** The port, with one planted bug (or none). */
export function handPort(bug: Bug = 'none'): Implementation {
  return (r: RunRequest) => {
    const kindFromWeights = (): string => {
      const rows = (r.weights.get('weight_hh_l0') ?? r.weights.get('weight_hh'))?.shape[0] as number;
      const H = (r.weights.get('weight_hh_l0') ?? r.weights.get('weight_hh'))?.shape[1] as number;
      return rows === 4 * H ? 'LSTM' : rows === 3 * H ? 'GRU' : 'RNN';
    };
    if ([...r.weights.keys()].some((k) => k.startsWith('weight_hr'))) throw unsupported('proj_size');
    const cell = r.weights.has('weight_ih');
    const kind = kindFromWeights();
    const w = new Map([...r.weights].map(([k, t]) => [k, Float64Array.from(t.toFloat64())]));
    const H = (r.weights.get(cell ? 'weight_hh' : 'weight_hh_l0') as Tensor).shape[1] as number;
    const relu = r.nonlinearity === 'relu';
    const x = r.input.toFloat64();
    if (cell) {
      const batched = r.input.ndim === 2;
      const B = batched ? (r.input.shape[0] as number) : 1;
      const I = r.input.shape[r.input.ndim - 1] as number;
      const hOut = new Float64Array(B * H), cOut = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        const h0 = r.h0 === undefined ? new Float64Array(H) : Float64Array.from(r.h0.toFloat64().subarray(b * H, (b + 1) * H));
        const c0 = r.c0 === undefined ? new Float64Array(H) : Float64Array.from(r.c0.toFloat64().subarray(b * H, (b + 1) * H));
        const [h, c] = step(kind, relu, bug, w, '', Float64Array.from(x.subarray(b * I, (b + 1) * I)), h0, c0, H);
        hOut.set(h, b * H);
        cOut.set(c, b * H);
      }
      const shape = batched ? [B, H] : [H];
      const hN = new Tensor(r.dtype, shape, r.dtype === 'float32' ? Float32Array.from(hOut) : hOut);
      return kind === 'LSTM' ? { output: hN, hN, cN: new Tensor(r.dtype, shape, r.dtype === 'float32' ? Float32Array.from(cOut) : cOut) } : { output: hN, hN };
    }
    const L = Math.max(...[...w.keys()].map((k) => Number(/_l(\d+)/.exec(k)?.[1] ?? 0))) + 1;
    const D = w.has('weight_ih_l0_reverse') ? 2 : 1;
    const unbatched = r.input.ndim === 2;
    const [T, B, I] = unbatched ? [r.input.shape[0], 1, r.input.shape[1]] : r.batchFirst ? [r.input.shape[1], r.input.shape[0], r.input.shape[2]] : (r.input.shape as [number, number, number]);
    const at = (t: number, b: number): number => (r.batchFirst && !unbatched ? b * T + t : t * B + b) * (I as number);
    const lengths = r.lengths === undefined ? new Array<number>(B as number).fill(T as number) : Array.from(r.lengths.toFloat64(), Number);
    // per sequence: layer inputs over its own length
    let seqs: Float64Array[][] = Array.from({ length: B as number }, (_, b) => Array.from({ length: lengths[b] as number }, (_, t) => Float64Array.from(x.subarray(at(t, b), at(t, b) + (I as number)))));
    const hN = new Float64Array(L * D * (B as number) * H), cN = new Float64Array(L * D * (B as number) * H);
    for (let l = 0; l < L; l++) {
      const next = seqs.map((s) => s.map(() => new Float64Array(D * H)));
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const row = bug === 'bidirectional h_n rows swapped' && D === 2 ? l * D + (1 - d) : l * D + d;
        for (let b = 0; b < (B as number); b++) {
          const off = (l * D + d) * (B as number) * H + b * H;
          let h: Float64Array = r.h0 === undefined ? new Float64Array(H) : Float64Array.from(r.h0.toFloat64().subarray(off, off + H));
          let c: Float64Array = r.c0 === undefined ? new Float64Array(H) : Float64Array.from(r.c0.toFloat64().subarray(off, off + H));
          const len = seqs[b]!.length;
          for (let s = 0; s < len; s++) {
            const t = d === 0 ? s : len - 1 - s;
            [h, c] = step(kind, relu, bug, w, sfx, seqs[b]![t]!, h, c, H);
            next[b]![t]!.set(h, d * H);
          }
          // a port that reads h_n from the padded output's last step gets zeros for short sequences
          if (bug === 'packed h_n taken at T' && r.lengths !== undefined && len < (T as number) && d === 0) h = new Float64Array(H);
          hN.set(h, row * (B as number) * H + b * H);
          cN.set(c, (l * D + d) * (B as number) * H + b * H);
        }
      }
      seqs = next;
    }
    const F = D * H;
    const out = new Float64Array((T as number) * (B as number) * F);
    for (let b = 0; b < (B as number); b++) for (let t = 0; t < seqs[b]!.length; t++) out.set(seqs[b]![t]!, (r.batchFirst && !unbatched ? b * (T as number) + t : t * (B as number) + b) * F);
    const f = (a: Float64Array): Float32Array | Float64Array => (r.dtype === 'float32' ? Float32Array.from(a) : a);
    const outShape = unbatched ? [T as number, F] : r.batchFirst ? [B as number, T as number, F] : [T as number, B as number, F];
    const stateShape = unbatched ? [L * D, H] : [L * D, B as number, H];
    const result = { output: new Tensor(r.dtype, outShape, f(out)), hN: new Tensor(r.dtype, stateShape, f(hN)) };
    return kind === 'LSTM' ? { ...result, cN: new Tensor(r.dtype, stateShape, f(cN)) } : result;
  };
}
