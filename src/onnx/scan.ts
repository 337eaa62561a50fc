/**
 * One layer as PyTorch's equations in explicit ONNX nodes, one Scan over time per direction: the
 * lowering for what ONNX's own RNN / GRU / LSTM operators cannot run in ONNX Runtime — float64
 * (its kernels are float32-only) and LSTM proj_size (ONNX's LSTM has no projection) — and for
 * runtimes without those operators. torch/nn/modules/rnn.py's docstrings, per step:
 *   RNN:  h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
 *   GRU:  r = σ(·_r), z = σ(·_z), n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)), h' = (h − n) ⊙ z + n
 *         (ATen's order of the last update, aten/src/ATen/native/RNN.cpp, GRUCell)
 *   LSTM: i, f, g, o = σ, σ, tanh, σ of (x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) row blocks
 *         c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'), with proj_size h' = (o ⊙ tanh(c')) W_hrᵀ
 * As ATen on CPU, x W_ihᵀ + b_ih is one MatMul over all steps before the loop.
 *
 * Note [reverse direction with packed input]: each sequence's reverse pass starts at its own
 * last step. ReverseSequence reverses the first len_b steps of each sequence and leaves the rest
 * in place, so the reverse direction is a forward scan over the reversed input, masked past
 * len_b (state kept, output 0), then the output reversed back the same way.
 */
import { gateCount, outSize } from '../config.js';
import type { Description, FloatArray } from './describe.js';
import { layerParameters } from './describe.js';
import { graphAttr, int, ints, tensorAttr, type Graph } from './graph.js';
import type { LayerInputs, LayerResult } from './native.js';

/** Wᵀ of a row-major (R, C) matrix, as (C, R). */
function transpose(a: FloatArray, R: number, C: number): FloatArray {
  const out = new (a.constructor as new (n: number) => FloatArray)(a.length);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c]!;
  return out;
}

/** Values a whole graph shares: the packed-sequence mask (T, B, 1), made once. */
export interface ScanShared {
  /** bool (T, B, 1): t < len_b; null when not packed. */
  readonly mask: string | null;
}

/** The mask t < len_b as (T, B, 1) booleans, from lengths (B) and [T, B]. */
export function packedMask(g: Graph, lengths: string, shapeTB: string): string {
  const T = g.one('Squeeze', [g.one('Slice', [shapeTB, g.int64s([0]), g.int64s([1])]), g.int64s([0])], {}, 'seq_len');
  const steps = g.one('Range', [g.int64Scalar(0), T, g.int64Scalar(1)], {}, 'steps');
  const less = g.one('Less', [g.one('Unsqueeze', [steps, g.int64s([1])]), g.one('Unsqueeze', [lengths, g.int64s([0])])], {}, 'valid');
  return g.one('Unsqueeze', [less, g.int64s([2])], {}, 'mask');
}

/** Layer `layer` of `d` as one Scan per direction. */
export function scanLayer(g: Graph, d: Description, layer: number, input: LayerInputs, shared: ScanShared): LayerResult {
  const H = d.hiddenSize;
  const Hout = outSize(d);
  const D = d.bidirectional ? 2 : 1;
  const lstm = d.mode === 'LSTM';
  const G = gateCount(d.mode);
  const elem = d.dtype;
  const ys: string[] = [];
  const hs: string[] = [];
  const cs: string[] = [];
  for (let dir = 0; dir < D; dir++) {
    const w = layerParameters(d, layer, dir);
    const p = `l${layer}${dir === 1 ? '_reverse' : ''}`;
    const Ik = w.wIh.length / (G * H);
    // x W_ihᵀ + b_ih for every step at once: (T, B, G·H).
    let xw = g.one('MatMul', [input.x, g.constant(`${p}.weight_ih_T`, elem, [Ik, G * H], transpose(w.wIh, G * H, Ik))], {}, `${p}.xw`);
    if (w.bIh !== null) xw = g.one('Add', [xw, g.constant(`${p}.bias_ih`, elem, [G * H], w.bIh)], {}, `${p}.xw_b`);
    const packedReverse = dir === 1 && input.lengths !== null;
    const reverse = (v: string): string => g.one('ReverseSequence', [v, input.lengths as string], { batch_axis: int(1), time_axis: int(0) }, `${p}.reversed`);
    if (packedReverse) xw = reverse(xw);
    const initial = (state: string | null, F: number): string =>
      state !== null
        ? g.one('Gather', [state, g.int64Scalar(dir)], { axis: int(0) }, `${p}.init`)
        : g.one(
            'ConstantOfShape',
            [g.one('Concat', [g.one('Slice', [input.shapeTB, g.int64s([1]), g.int64s([2])]), g.int64s([F])], { axis: int(0) })],
            { value: tensorAttr({ name: 'zero', elem, dims: [1], data: elem === 'float64' ? new Float64Array(1) : new Float32Array(1) }) },
            `${p}.zeros`,
          );
    const states = [initial(input.h0, Hout), ...(lstm ? [initial(input.c0, H)] : [])];
    const body = stepBody(g, d, p, w, Hout, shared.mask !== null);
    const scanInputs = [xw, ...(shared.mask !== null ? [shared.mask] : [])];
    // Without packing the reverse direction scans backwards; packed, its input is already reversed.
    const backwards = dir === 1 && !packedReverse ? 1 : 0;
    const outs = g.add(
      'Scan',
      [...states, ...scanInputs],
      {
        body: graphAttr(body),
        num_scan_inputs: int(scanInputs.length),
        scan_input_directions: ints(scanInputs.map(() => backwards)),
        scan_output_directions: ints([backwards]),
      },
      states.length + 1,
      `${p}.scan`,
    );
    const y = outs[outs.length - 1]!;
    ys.push(packedReverse ? reverse(y) : y);
    hs.push(g.one('Unsqueeze', [outs[0]!, g.int64s([0])], {}, `${p}.h_n`));
    if (lstm) cs.push(g.one('Unsqueeze', [outs[1]!, g.int64s([0])], {}, `${p}.c_n`));
  }
  const cat = (parts: string[], axis: number, hint: string): string => (parts.length === 1 ? parts[0]! : g.one('Concat', parts, { axis: int(axis) }, hint));
  return { output: cat(ys, 2, `l${layer}.output`), hN: cat(hs, 0, `l${layer}.h_n`), cN: lstm ? cat(cs, 0, `l${layer}.c_n`) : null };
}

/** The Scan body of one direction: state (h[, c]) and step input (x W_ihᵀ + b_ih)[t][, mask[t]] → new state, output. */
function stepBody(g: Graph, d: Description, p: string, w: ReturnType<typeof layerParameters>, Hout: number, masked: boolean): Graph {
  const H = d.hiddenSize;
  const lstm = d.mode === 'LSTM';
  const G = gateCount(d.mode);
  const elem = d.dtype;
  // Constants live in the outer graph; the body reads them from the enclosing scope.
  const wHhT = g.constant(`${p}.weight_hh_T`, elem, [Hout, G * H], transpose(w.wHh, G * H, Hout));
  const bHh = w.bHh === null ? null : g.constant(`${p}.bias_hh`, elem, [G * H], w.bHh);
  const wHrT = w.wHr === null ? null : g.constant(`${p}.weight_hr_T`, elem, [H, Hout], transpose(w.wHr, Hout, H));
  const split = G > 1 ? g.int64s(Array<number>(G).fill(H)) : '';
  const zero = masked ? g.constant(`${p}.zero`, elem, [], elem === 'float64' ? new Float64Array(1) : new Float32Array(1)) : null;

  const b = g.subgraph(`${p}.step`);
  const h = b.input(`${p}.h`, elem, ['batch', Hout]);
  const c = lstm ? b.input(`${p}.c`, elem, ['batch', H]) : null;
  const xw = b.input(`${p}.xw_t`, elem, ['batch', G * H]);
  const m = masked ? b.input(`${p}.mask_t`, 'bool', ['batch', 1]) : null;

  let gh = b.one('MatMul', [h, wHhT], {}, `${p}.hw`);
  if (bHh !== null) gh = b.one('Add', [gh, bHh], {}, `${p}.hw_b`);
  let hNew: string;
  let cNew: string | null = null;
  if (d.mode === 'GRU') {
    const [xr, xz, xn] = b.add('Split', [xw, split], { axis: int(1) }, 3, `${p}.x_rzn`) as [string, string, string];
    const [hr, hz, hn] = b.add('Split', [gh, split], { axis: int(1) }, 3, `${p}.h_rzn`) as [string, string, string];
    const r = b.one('Sigmoid', [b.one('Add', [xr, hr])], {}, `${p}.r`);
    const z = b.one('Sigmoid', [b.one('Add', [xz, hz])], {}, `${p}.z`);
    const n = b.one('Tanh', [b.one('Add', [xn, b.one('Mul', [r, hn])])], {}, `${p}.n`);
    hNew = b.one('Add', [b.one('Mul', [b.one('Sub', [h, n]), z]), n], {}, `${p}.h_new`);
  } else {
    const gates = b.one('Add', [xw, gh], {}, `${p}.gates`);
    if (!lstm) {
      hNew = b.one(d.mode === 'RNN_RELU' ? 'Relu' : 'Tanh', [gates], {}, `${p}.h_new`);
    } else {
      const [gi, gf, gg, go] = b.add('Split', [gates, split], { axis: int(1) }, 4, `${p}.ifgo`) as [string, string, string, string];
      const i = b.one('Sigmoid', [gi], {}, `${p}.i`);
      const f = b.one('Sigmoid', [gf], {}, `${p}.f`);
      const gc = b.one('Tanh', [gg], {}, `${p}.g`);
      const o = b.one('Sigmoid', [go], {}, `${p}.o`);
      cNew = b.one('Add', [b.one('Mul', [f, c as string]), b.one('Mul', [i, gc])], {}, `${p}.c_new`);
      hNew = b.one('Mul', [o, b.one('Tanh', [cNew])], {}, `${p}.h_new`);
      if (wHrT !== null) hNew = b.one('MatMul', [hNew, wHrT], {}, `${p}.h_proj`);
    }
  }
  // Packed: past a sequence's length its state stays and its output is 0 (pad_packed_sequence).
  const hOut = m === null ? hNew : b.one('Where', [m, hNew, h], {}, `${p}.h_kept`);
  const cOut = cNew === null ? null : m === null ? cNew : b.one('Where', [m, cNew, c as string], {}, `${p}.c_kept`);
  const y = m === null ? hNew : b.one('Where', [m, hNew, zero as string], {}, `${p}.y`);
  b.output(`${p}.h_out`, hOut, elem, ['batch', Hout]);
  if (cOut !== null) b.output(`${p}.c_out`, cOut, elem, ['batch', H]);
  b.output(`${p}.y_t`, y, elem, ['batch', Hout]);
  return b;
}
