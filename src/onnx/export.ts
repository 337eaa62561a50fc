/**
 * `toOnnx`: a recurrent module as an ONNX model that takes PyTorch's inputs and returns PyTorch's
 * outputs with PyTorch's shapes (torch/nn/modules/rnn.py, "Inputs" / "Outputs"):
 *   input   (T, B, I) | batch-first (B, T, I) | unbatched (T, I)        cell: (B, I) | (I)
 *   h0, c0  (L·D, B, H_out), (L·D, B, H) | unbatched (L·D, ·)            cell: (B, H) | (H)
 *   lengths int64 (B), any order: the packed batch's lengths
 *   output  (T, B, D·H_out) | (B, T, D·H_out) | (T, D·H_out)             cell: h′
 *   h_n, c_n like h0, c0: h_n[k·D + dir] is layer k, direction dir
 * B and T are dynamic axes (`batch`, `seq_len`). Inside, everything is time-major and batched;
 * layer k > 0 reads layer k − 1's output, both directions concatenated, forward first.
 */
import { outSize } from '../config.js';
import type { Tensor } from '../tensor.js';
import type { RecurrentModule } from '../modules/index.js';
import { describe, type Description } from './describe.js';
import { Graph, graphAttr, int, ints, tensorAttr, type Dim } from './graph.js';
import { nativeLayer, type LayerResult } from './native.js';
import { planExport, type ExportPlan, type ToOnnxOptions } from './options.js';
import { packedMask, scanLayer } from './scan.js';
import { serializeModel } from './serialize.js';

/** A module (RNN, GRU, LSTM or a cell) or a state_dict holding one. */
export type OnnxSource = RecurrentModule | ReadonlyMap<string, Tensor>;

/**
 * The module as ONNX model bytes (a ModelProto). Graph input `input` (plus `h0` / `c0` with
 * `state`, `lengths` with `packed`); outputs `output`, `h_n` and, for an LSTM / LSTMCell, `c_n`.
 * E_EXPORT_UNSUPPORTED names what cannot be exported; E_BAD_OPTION an option that does not apply.
 * @see torch.onnx.export
 */
export function toOnnx(source: OnnxSource, options: ToOnnxOptions = {}): Uint8Array {
  const { prefix, nonlinearity, dtype } = options;
  const d = describe(source, { ...(prefix === undefined ? {} : { prefix }), ...(nonlinearity === undefined ? {} : { nonlinearity }), ...(dtype === undefined ? {} : { dtype }) });
  const plan = planExport(d, options);
  return serializeModel(buildGraph(d, plan), { opset: plan.opset, docString: docString(d, plan) });
}

/** PyTorch's constructor call, for the model's doc_string. */
function docString(d: Description, plan: ExportPlan): string {
  const args = [String(d.inputSize), String(d.hiddenSize)];
  if (!d.cell && d.numLayers !== 1) args.push(`num_layers=${d.numLayers}`);
  if (d.mode === 'RNN_RELU') args.push("nonlinearity='relu'");
  if (!d.bias) args.push('bias=False');
  if (plan.batchFirst) args.push('batch_first=True');
  if (d.bidirectional) args.push('bidirectional=True');
  if (d.projSize > 0) args.push(`proj_size=${d.projSize}`);
  if (d.dtype === 'float64') args.push('dtype=torch.float64');
  const inputs = ['input', ...(plan.state ? (d.mode === 'LSTM' ? ['h0', 'c0'] : ['h0']) : []), ...(plan.packed ? ['lengths'] : [])];
  return `nn.${d.className}(${args.join(', ')}) exported by rnnport (${plan.lowering} lowering); inputs ${inputs.join(', ')}; outputs output, h_n${d.mode === 'LSTM' ? ', c_n' : ''}${plan.unbatched ? '; unbatched' : ''}`;
}

/** The graph; see the file comment for its interface. */
export function buildGraph(d: Description, plan: ExportPlan): Graph {
  const g = new Graph(`rnnport_${d.className}`);
  const lstm = d.mode === 'LSTM';
  const H = d.hiddenSize;
  const Hout = outSize(d);
  const D = d.bidirectional ? 2 : 1;
  const LD = d.numLayers * D;
  const I = d.inputSize;
  const { unbatched } = plan;
  // Shapes of the graph's interface, and the axes that unbatched / cell inputs lack inside.
  const seq: Dim[] = d.cell ? [] : plan.batchFirst ? ['batch', 'seq_len'] : ['seq_len', 'batch'];
  const outer = (lead: Dim[], F: number): Dim[] => [...(unbatched ? lead.filter((a) => a !== 'batch') : lead), F];
  const stateLead: Dim[] = d.cell ? ['batch'] : [LD, 'batch'];
  // Axes to add to reach (T, B, ·) / (L·D, B, ·): a cell has neither T nor L·D; unbatched has no B.
  const inputAxes = d.cell ? (unbatched ? [0, 1] : [0]) : unbatched ? [1] : [];
  const stateAxes = d.cell ? (unbatched ? [0, 1] : [0]) : unbatched ? [1] : [];
  const inward = (v: string, axes: number[]): string => (axes.length === 0 ? v : g.one('Unsqueeze', [v, g.int64s(axes)]));
  const outward = (v: string, axes: number[]): string => (axes.length === 0 ? v : g.one('Squeeze', [v, g.int64s(axes)]));

  let x = g.input('input', d.dtype, outer(d.cell ? ['batch'] : seq, I));
  x = plan.batchFirst ? g.one('Transpose', [x], { perm: ints([1, 0, 2]) }, 'input_tm') : inward(x, inputAxes);
  const h0 = plan.state ? inward(g.input('h0', d.dtype, outer(stateLead, Hout)), stateAxes) : null;
  const c0 = plan.state && lstm ? inward(g.input('c0', d.dtype, outer(stateLead, H)), stateAxes) : null;
  const lengths = plan.packed ? g.input('lengths', 'int64', ['batch']) : null;
  const shapeTB = g.one('Slice', [g.one('Shape', [x]), g.int64s([0]), g.int64s([2])], {}, 'shape_tb');
  const shared = { mask: plan.lowering === 'scan' && lengths !== null ? packedMask(g, lengths, shapeTB) : null };

  const stack = (scope: Graph): LayerResult => {
    const layers: LayerResult[] = [];
    let y = x;
    for (let k = 0; k < d.numLayers; k++) {
      // h0[k·D : (k+1)·D]: this layer's directions (h_n's row index is layer·D + direction).
      const slice = (s: string | null): string | null =>
        s === null || d.numLayers === 1 ? s : scope.one('Slice', [s, g.int64s([k * D]), g.int64s([(k + 1) * D]), g.int64s([0])], {}, `l${k}.init`);
      const input = { x: y, h0: slice(h0), c0: slice(c0), lengths, shapeTB };
      const r = plan.lowering === 'native' ? nativeLayer(scope, d, k, input) : scanLayer(scope, d, k, input, shared);
      layers.push(r);
      y = r.output;
    }
    const cat = (parts: string[], hint: string): string => (parts.length === 1 ? parts[0]! : scope.one('Concat', parts, { axis: int(0) }, hint));
    return { output: y, hN: cat(layers.map((l) => l.hN), 'h_n_tm'), cN: lstm ? cat(layers.map((l) => l.cN as string), 'c_n_tm') : null };
  };
  const r = plan.lowering === 'native' && plan.emptyBatchGuard ? guardEmptyBatch(g, d, shapeTB, stack) : stack(g);
  x = r.output;
  const hN = outward(r.hN, stateAxes);
  const cN = r.cN === null ? null : outward(r.cN, stateAxes);
  if (d.cell) {
    g.output('output', hN, d.dtype, outer(['batch'], Hout));
  } else {
    const output = plan.batchFirst ? g.one('Transpose', [x], { perm: ints([1, 0, 2]) }, 'output_bf') : outward(x, inputAxes);
    g.output('output', output, d.dtype, outer(seq, D * Hout));
  }
  g.output('h_n', hN, d.dtype, outer(stateLead, Hout));
  if (cN !== null) g.output('c_n', cN, d.dtype, outer(stateLead, H));
  return g;
}

/**
 * ONNX Runtime 1.30 aborts the whole process (std::terminate) when its LSTM or GRU kernel gets a
 * batch of 0, which PyTorch allows (empty results). The native layers therefore run in the else
 * branch of If(B == 0); the then branch returns the empty tensors of the right shapes.
 */
function guardEmptyBatch(g: Graph, d: Description, shapeTB: string, stack: (scope: Graph) => LayerResult): LayerResult {
  const H = d.hiddenSize;
  const Hout = outSize(d);
  const D = d.bidirectional ? 2 : 1;
  const LD = d.numLayers * D;
  const lstm = d.mode === 'LSTM';
  const B = g.one('Slice', [shapeTB, g.int64s([1]), g.int64s([2])], {}, 'batch');
  const empty = g.one('Equal', [B, g.int64s([0])], {}, 'empty_batch');
  const shapes: [string, Dim[]][] = [
    [g.one('Concat', [shapeTB, g.int64s([D * Hout])], { axis: int(0) }), ['seq_len', 'batch', D * Hout]],
    [g.one('Concat', [g.int64s([LD]), B, g.int64s([Hout])], { axis: int(0) }), [LD, 'batch', Hout]],
    ...(lstm ? [[g.one('Concat', [g.int64s([LD]), B, g.int64s([H])], { axis: int(0) }), [LD, 'batch', H]] as [string, Dim[]]] : []),
  ];
  const then = g.subgraph('empty_batch');
  const zero = { name: 'zero', elem: d.dtype, dims: [1], data: d.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1) };
  shapes.forEach(([shape, dims], i) => then.output(`empty_${i}`, then.one('ConstantOfShape', [shape], { value: tensorAttr(zero) }), d.dtype, dims));
  const otherwise = g.subgraph('layers');
  const r = stack(otherwise);
  [r.output, r.hN, ...(r.cN === null ? [] : [r.cN])].forEach((v, i) => otherwise.output(`result_${i}`, v, d.dtype, shapes[i]![1]));
  const [output, hN, cN] = g.add('If', [empty], { then_branch: graphAttr(then), else_branch: graphAttr(otherwise) }, shapes.length, 'nonempty') as [string, string, string?];
  return { output, hN, cN: cN ?? null };
}
