/**
 * `onnxModule`: a module run by the caller's own ONNX Runtime (onnxruntime-node or
 * onnxruntime-web, passed in; rnnport never imports either) with the module's own inputs and
 * outputs: Tensors with PyTorch's shapes, or a PackedSequence in and out. The model is exported
 * by toOnnx with h0 / c0 inputs (zeros are fed when hx is absent); a session is created once per
 * graph variant: dense (the module's batch_first) at creation, packed (lengths input) on first use.
 * Unbatched input runs as a batch of one.
 */
import { outSize } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import { PackedSequence, padPackedSequence, type RecurrentModule } from '../modules/index.js';
import { formatShape, Tensor } from '../tensor.js';
import { describe, type Description } from './describe.js';
import { buildGraph } from './export.js';
import { planExport, type Lowering } from './options.js';
import { serializeModel } from './serialize.js';

/** The part of an ONNX Runtime tensor rnnport reads. */
export interface OrtTensorLike {
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The part of an ONNX Runtime InferenceSession rnnport uses. */
export interface OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** The part of the `onnxruntime-node` / `onnxruntime-web` module object rnnport uses. */
export interface OrtLike {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
  readonly InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike>;
  };
}

/** Options of `onnxModule`. */
export interface OnnxModuleOptions {
  /** Threads within an operator (onnxruntime-node). @defaultValue ONNX Runtime's default */
  readonly intraOpNumThreads?: number;
  /** Threads across operators (onnxruntime-node). @defaultValue ONNX Runtime's default */
  readonly interOpNumThreads?: number;
  /** More InferenceSession options, passed through (e.g. `executionProviders`). */
  readonly sessionOptions?: Readonly<Record<string, unknown>>;
  /** See ToOnnxOptions. @defaultValue 17 */
  readonly opset?: number;
  /** See ToOnnxOptions. @defaultValue 'auto' */
  readonly lowering?: Lowering;
}

/** What `forward` returns: `output` like the input (a cell's output is h′), `hN`, and `cN` for an LSTM / LSTMCell. */
export interface OnnxResult<O extends Tensor | PackedSequence = Tensor> {
  readonly output: O;
  readonly hN: Tensor;
  readonly cN?: Tensor;
}

/** A module bound to an ONNX Runtime session. */
export interface OnnxModule {
  /** The module's class and mode, as the module says them. */
  readonly className: Description['className'];
  readonly mode: Description['mode'];
  readonly dtype: FloatDType;
  /** The dense model the session runs (ONNX bytes). */
  readonly model: Uint8Array;
  /** Runs like the module's forward; hx is h_0, or [h_0, c_0] for an LSTM / LSTMCell. */
  forward(input: Tensor, hx?: Tensor | readonly [Tensor, Tensor]): Promise<OnnxResult>;
  forward(input: PackedSequence, hx?: Tensor | readonly [Tensor, Tensor]): Promise<OnnxResult<PackedSequence>>;
  /** Releases the sessions; forward afterwards is E_DISPOSED. */
  dispose(): Promise<void>;
}

type OrtTensorCtor = new (type: FloatDType | 'int64', data: Float32Array | Float64Array | BigInt64Array, dims: readonly number[]) => OrtTensorLike;

/**
 * Exports `module` (toOnnx, with state inputs) and opens it in `ort`, the caller's
 * `onnxruntime-node` or `onnxruntime-web`. A float32 module without proj_size runs on ONNX
 * Runtime's own RNN / GRU / LSTM kernels; see docs/onnx.md for when that beats the WebAssembly engine.
 */
export async function onnxModule(module: RecurrentModule, ort: OrtLike, options: OnnxModuleOptions = {}): Promise<OnnxModule> {
  if (typeof ort !== 'object' || ort === null || typeof ort.InferenceSession?.create !== 'function' || typeof ort.Tensor !== 'function') {
    throw badArgument('onnxModule(module, ort)', "the onnxruntime-node or onnxruntime-web module (import * as ort from 'onnxruntime-node')", ort);
  }
  const d = describe(module, {});
  const OrtTensor = ort.Tensor as unknown as OrtTensorCtor;
  const sessionOptions = {
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    ...(options.interOpNumThreads === undefined ? {} : { interOpNumThreads: options.interOpNumThreads }),
    ...options.sessionOptions,
  };
  const exportOptions = { state: true, ...(options.opset === undefined ? {} : { opset: options.opset }), ...(options.lowering === undefined ? {} : { lowering: options.lowering }) };
  const modelFor = (packed: boolean): Uint8Array => {
    // B = 0 never reaches ONNX Runtime (Runner answers it), so the graph needs no If guard for it.
    const plan = { ...planExport(d, { ...exportOptions, packed, batchFirst: packed ? false : d.batchFirst }), emptyBatchGuard: false };
    return serializeModel(buildGraph(d, plan), { opset: plan.opset, docString: `${d.className} for rnnport's onnxModule` });
  };
  const model = modelFor(false);
  const dense = await ort.InferenceSession.create(model, sessionOptions);
  let packedSession: Promise<OrtSessionLike> | null = null;
  let disposed = false;
  const runner = new Runner(d, OrtTensor);

  async function forward(input: Tensor | PackedSequence, hx?: Tensor | readonly [Tensor, Tensor]): Promise<OnnxResult<Tensor | PackedSequence>> {
    if (disposed) throw fail('E_DISPOSED', { what: 'onnxModule', expected: 'a module not yet disposed', got: 'forward after dispose()' });
    const [h0, c0] = runner.states(hx);
    if (input instanceof PackedSequence) {
      packedSession ??= ort.InferenceSession.create(modelFor(true), sessionOptions);
      return runner.packed(await packedSession, input, h0, c0);
    }
    return runner.dense(dense, input, h0, c0);
  }
  return {
    className: d.className,
    mode: d.mode,
    dtype: d.dtype,
    model,
    forward: forward as OnnxModule['forward'],
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await dense.release();
      if (packedSession !== null) await (await packedSession).release();
    },
  };
}

/** Shape checks and the conversions between rnnport tensors and ORT feeds / results. */
class Runner {
  readonly #d: Description;
  readonly #Tensor: OrtTensorCtor;
  readonly #LD: number;
  readonly #Hout: number;
  readonly #lstm: boolean;

  constructor(d: Description, ortTensor: OrtTensorCtor) {
    this.#d = d;
    this.#Tensor = ortTensor;
    this.#LD = d.numLayers * (d.bidirectional ? 2 : 1);
    this.#Hout = outSize(d);
    this.#lstm = d.mode === 'LSTM';
  }

  /** hx split into h0, c0 (an LSTM takes both or neither, as a pair). */
  states(hx: Tensor | readonly [Tensor, Tensor] | undefined): [Tensor | undefined, Tensor | undefined] {
    if (hx === undefined) return [undefined, undefined];
    if (this.#lstm !== Array.isArray(hx)) {
      throw fail('E_HIDDEN_SHAPE', { what: 'hx', expected: this.#lstm ? '[h_0, c_0] (an LSTM state)' : 'a Tensor h_0', got: Array.isArray(hx) ? 'a pair' : 'one tensor' });
    }
    return Array.isArray(hx) ? [hx[0] as Tensor, hx[1] as Tensor] : [hx as Tensor, undefined];
  }

  #check(what: string, t: Tensor): void {
    if (!(t instanceof Tensor)) throw fail('E_INPUT_RANK', { what, expected: 'a Tensor', got: typeof t });
    if (t.dtype !== this.#d.dtype) throw fail('E_INPUT_DTYPE', { what: `${what}.dtype`, expected: `${this.#d.dtype} (the module's dtype)`, got: t.dtype });
  }

  #feed(t: Tensor, dims: readonly number[]): OrtTensorLike {
    return new this.#Tensor(this.#d.dtype, t.data as Float32Array | Float64Array, dims);
  }

  #state(what: string, t: Tensor | undefined, lead: readonly number[], F: number, unbatched: boolean): OrtTensorLike {
    const shape = [...lead, F];
    if (t === undefined) return new this.#Tensor(this.#d.dtype, this.#d.dtype === 'float64' ? new Float64Array(shape.reduce((a, b) => a * b, 1)) : new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    this.#check(what, t);
    const expected = unbatched ? shape.filter((_, i) => i !== shape.length - 2) : shape;
    if (t.ndim !== expected.length || t.shape.some((s, i) => s !== expected[i])) {
      throw fail('E_HIDDEN_SHAPE', { what: `${what}.shape`, expected: formatShape(expected), got: formatShape(t.shape) });
    }
    return this.#feed(t, shape);
  }

  #result(r: OrtTensorLike | undefined, shape: readonly number[]): Tensor {
    if (r === undefined) throw fail('E_INTERNAL', { what: 'ONNX Runtime result', expected: 'output, h_n (and c_n)', got: 'a missing output' });
    return new Tensor(this.#d.dtype, shape, r.data as Float32Array);
  }

  /** The results of a batch of 0 (PyTorch returns empty tensors; ONNX Runtime's LSTM / GRU kernels abort on it). */
  #empty(T: number, lead: readonly number[]): Record<string, OrtTensorLike> {
    const D = this.#LD / this.#d.numLayers;
    const none = (dims: readonly number[]): OrtTensorLike => ({ dims, data: this.#d.dtype === 'float64' ? new Float64Array(0) : new Float32Array(0) });
    return {
      output: none(this.#d.cell ? [...lead, this.#Hout] : this.#d.batchFirst ? [0, T, D * this.#Hout] : [T, 0, D * this.#Hout]),
      h_n: none([...lead, this.#Hout]),
      c_n: none([...lead, this.#d.hiddenSize]),
    };
  }

  async dense(session: OrtSessionLike, input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined): Promise<OnnxResult> {
    const d = this.#d;
    this.#check('input', input);
    const rank = input.ndim;
    const [lo, hi] = d.cell ? [1, 2] : [2, 3];
    if (rank !== lo && rank !== hi) {
      throw fail('E_INPUT_RANK', { what: 'input', expected: d.cell ? '1-d (I) or 2-d (B, I)' : `2-d (T, I) or 3-d ${d.batchFirst ? '(B, T, I)' : '(T, B, I)'}`, got: `${rank}-d ${formatShape(input.shape)}` });
    }
    if (input.shape[rank - 1] !== d.inputSize) {
      throw fail('E_INPUT_SIZE', { what: `input.shape[${rank - 1}]`, expected: `${d.inputSize} (input_size)`, got: String(input.shape[rank - 1]) });
    }
    const unbatched = rank === lo;
    // The graph is batched: unbatched input runs as a batch of one.
    const dims = d.cell ? (unbatched ? [1, d.inputSize] : input.shape) : unbatched ? (d.batchFirst ? [1, ...input.shape] : [input.shape[0]!, 1, d.inputSize]) : input.shape;
    const T = d.cell ? 1 : dims[d.batchFirst ? 1 : 0]!;
    const B = dims[d.cell ? 0 : d.batchFirst ? 0 : 1]!;
    if (T === 0) throw fail('E_EMPTY_SEQUENCE', { what: 'input sequence length', expected: '≥ 1 step', got: `0 in ${formatShape(input.shape)}` });
    const lead = d.cell ? [B] : [this.#LD, B];
    const feeds: Record<string, OrtTensorLike> = { input: this.#feed(input, dims), h0: this.#state('h0', h0, lead, this.#Hout, unbatched) };
    if (this.#lstm) feeds['c0'] = this.#state('c0', c0, lead, d.hiddenSize, unbatched);
    const r = B === 0 ? this.#empty(T, lead) : await session.run(feeds);
    const drop = (shape: readonly number[]): number[] => (unbatched ? shape.filter((_, i) => i !== shape.length - 2) : [...shape]);
    const hN = this.#result(r['h_n'], drop([...lead, this.#Hout]));
    const outShape = d.cell ? drop([B, this.#Hout]) : unbatched ? [T, (this.#LD / d.numLayers) * this.#Hout] : r['output']?.dims ?? [];
    const output = d.cell ? hN : this.#result(r['output'], outShape);
    return { output, hN, ...(this.#lstm ? { cN: this.#result(r['c_n'], drop([...lead, d.hiddenSize])) } : {}) };
  }

  async packed(session: OrtSessionLike, input: PackedSequence, h0: Tensor | undefined, c0: Tensor | undefined): Promise<OnnxResult<PackedSequence>> {
    const d = this.#d;
    this.#check('input.data', input.data);
    if (input.data.ndim !== 2 || input.data.shape[1] !== d.inputSize) {
      throw fail('E_INPUT_SIZE', { what: 'input.data.shape', expected: `(N, ${d.inputSize})`, got: formatShape(input.data.shape) });
    }
    // Padded, in the original batch order: the graph's lengths may come in any order.
    const [padded, lengths] = padPackedSequence(input);
    const [T, B] = padded.shape as [number, number];
    const lead = [this.#LD, B];
    const feeds: Record<string, OrtTensorLike> = {
      input: this.#feed(padded, padded.shape),
      lengths: new this.#Tensor('int64', BigInt64Array.from(lengths, BigInt), [B]),
      h0: this.#state('h0', h0, lead, this.#Hout, false),
    };
    if (this.#lstm) feeds['c0'] = this.#state('c0', c0, lead, d.hiddenSize, false);
    const r = await session.run(feeds);
    const F = (this.#LD / d.numLayers) * this.#Hout;
    const out = this.#result(r['output'], [T, B, F]).data as Float32Array | Float64Array;
    // Back to packed rows with the input's batch_sizes and sorted order.
    const data = new (out.constructor as new (n: number) => Float32Array | Float64Array)(input.data.shape[0]! * F);
    let row = 0;
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < input.batchSizes[t]!; j++) {
        const b = input.sortedIndices === null ? j : input.sortedIndices[j]!;
        data.set(out.subarray((t * B + b) * F, (t * B + b + 1) * F), row++ * F);
      }
    }
    const output = new PackedSequence(new Tensor(d.dtype, [row, F], data), input.batchSizes, input.sortedIndices, input.unsortedIndices);
    const hN = this.#result(r['h_n'], [...lead, this.#Hout]);
    return { output, hN, ...(this.#lstm ? { cN: this.#result(r['c_n'], [...lead, d.hiddenSize]) } : {}) };
  }
}
