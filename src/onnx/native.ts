/**
 * One layer (both directions) as ONNX's own recurrent operator: RNN, GRU or LSTM (opset 14), the
 * kernels ONNX Runtime runs natively. float32 and no projection only: ONNX Runtime's kernels are
 * float32-only ("LSTM operator does not support double yet", ONNX Runtime 1.30) and ONNX's LSTM has
 * no projection; scan.ts lowers those.
 *
 * PyTorch and ONNX agree on the equations once gate blocks are reordered and GRU runs with
 * linear_before_reset=1 (PyTorch's reset-after form, b_hn inside r ⊙ (W_hn h + b_hn)):
 *   LSTM rows: PyTorch i, f, g, o → ONNX i, o, f, c
 *   GRU rows:  PyTorch r, z, n    → ONNX z, r, h
 * ONNX's B input is [Wb | Rb] = [b_ih | b_hh] per direction. With sequence_lens, ONNX Runtime
 * zeroes Y past each sequence's length, takes Y_h at each sequence's own last step and starts the
 * reverse direction there: exactly pad_packed_sequence of PyTorch's packed run (measured against
 * torch 2.13 for unsorted lengths, every mode, bidirectional; the golden tests in compat/ keep it).
 */
import type { Description, FloatArray, LayerParameters } from './describe.js';
import { layerParameters } from './describe.js';
import { int, ints, str, strs, type Graph } from './graph.js';

/** Gate-block order: ONNX block j is PyTorch block ORDER[j]. */
const ORDER: Readonly<Record<Description['mode'], readonly number[]>> = {
  RNN_TANH: [0],
  RNN_RELU: [0],
  GRU: [1, 0, 2],
  LSTM: [0, 3, 1, 2],
};

/** Row blocks of a (G·H, K) matrix (or a G·H vector, K = 1) in ONNX's gate order. */
export function reorderGates(a: FloatArray, mode: Description['mode'], H: number): FloatArray {
  const order = ORDER[mode];
  const K = a.length / (order.length * H);
  const out = new (a.constructor as new (n: number) => FloatArray)(a.length);
  order.forEach((from, to) => out.set(a.subarray(from * H * K, (from + 1) * H * K), to * H * K));
  return out;
}

function concat(parts: readonly FloatArray[]): FloatArray {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What one lowered layer gives: output (T, B, D·H_out) and its final states (D, B, ·). */
export interface LayerResult {
  readonly output: string;
  readonly hN: string;
  readonly cN: string | null;
}

/** The inputs of one layer, all time-major and batched. */
export interface LayerInputs {
  /** (T, B, I_k) */
  readonly x: string;
  /** (D, B, H_out), or null for zeros. */
  readonly h0: string | null;
  /** (D, B, H), or null for zeros. */
  readonly c0: string | null;
  /** int64 (B), or null when not packed. */
  readonly lengths: string | null;
  /** int64 [T, B] of x, for reshapes. */
  readonly shapeTB: string;
}

/** Layer `layer` of `d` as one ONNX RNN / GRU / LSTM node. */
export function nativeLayer(g: Graph, d: Description, layer: number, input: LayerInputs): LayerResult {
  const H = d.hiddenSize;
  const D = d.bidirectional ? 2 : 1;
  const G = ORDER[d.mode].length;
  const dirs: LayerParameters[] = Array.from({ length: D }, (_, dir) => layerParameters(d, layer, dir));
  const Ik = dirs[0]!.wIh.length / (G * H);
  const p = `l${layer}`;
  const W = g.constant(`${p}.W`, 'float32', [D, G * H, Ik], concat(dirs.map((w) => reorderGates(w.wIh, d.mode, H))));
  const R = g.constant(`${p}.R`, 'float32', [D, G * H, H], concat(dirs.map((w) => reorderGates(w.wHh, d.mode, H))));
  const B = d.bias
    ? g.constant(`${p}.B`, 'float32', [D, 2 * G * H], concat(dirs.flatMap((w) => [reorderGates(w.bIh!, d.mode, H), reorderGates(w.bHh!, d.mode, H)])))
    : '';
  const seqLens = input.lengths === null ? '' : g.one('Cast', [input.lengths], { to: int(6) }, `${p}.sequence_lens`); // 6 = INT32
  const attrs = {
    hidden_size: int(H),
    direction: str(D === 2 ? 'bidirectional' : 'forward'),
    ...(d.mode === 'GRU' ? { linear_before_reset: int(1) } : {}),
    ...(d.mode === 'RNN_TANH' || d.mode === 'RNN_RELU' ? { activations: strs(Array<string>(D).fill(d.mode === 'RNN_RELU' ? 'Relu' : 'Tanh')) } : {}),
  };
  const op = d.mode === 'LSTM' ? 'LSTM' : d.mode === 'GRU' ? 'GRU' : 'RNN';
  const inputs = [input.x, W, R, B, seqLens, input.h0 ?? '', ...(op === 'LSTM' ? [input.c0 ?? ''] : [])];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const [Y, Yh, Yc] = g.add(op, inputs, attrs, op === 'LSTM' ? 3 : 2, `${p}.${op.toLowerCase()}`) as [string, string, string?];
  // Y is (T, D, B, H): one direction squeezes D; two interleave to (T, B, D, H) → (T, B, D·H).
  const output =
    D === 1
      ? g.one('Squeeze', [Y, g.int64s([1])], {}, `${p}.output`)
      : g.one('Reshape', [g.one('Transpose', [Y], { perm: ints([0, 2, 1, 3]) }), g.one('Concat', [input.shapeTB, g.int64s([D * H])], { axis: int(0) })], {}, `${p}.output`);
  return { output, hN: Yh, cN: Yc ?? null };
}
