/**
 * TensorFlow.js as an implementation under test: PyTorch's weights mapped into tfjs-layers'
 * SimpleRNN / LSTM layers (stacked, wrapped in Bidirectional), run eagerly on the tfjs `cpu`
 * backend (pure JS) or the `wasm` backend (@tensorflow/tfjs-backend-wasm, SIMD, one thread in
 * Node), in Node. A faithful best effort: every number comes from tfjs's own layers; the adapter
 * only moves data (transposes, splits, stacks, zero padding) and reads the module's configuration
 * with rnnport's `fromStateDict` (never its arithmetic).
 *
 * Mapping (PyTorch → Keras in tfjs-layers):
 * - kernel = weight_ih_l{k}{s}ᵀ [I, G·H], recurrentKernel = weight_hh_l{k}{s}ᵀ [H, G·H], bias =
 *   bias_ih + bias_hh (added by tf.add; Keras has one bias), useBias false with bias=False.
 *   PyTorch's LSTM gate blocks i, f, g, o are Keras's i, f, c, o: no reordering.
 * - tf.layers.simpleRNN (activation tanh / relu), tf.layers.lstm with recurrentActivation
 *   'sigmoid' (tfjs's default is hardSigmoid) and unitForgetBias false; layer k > 0 reads the
 *   whole output of layer k − 1 (returnSequences); final states via returnState.
 * - Bidirectional: tf.layers.bidirectional, mergeMode 'concat' (forward half first, as PyTorch).
 *   Its backward layer runs with goBackwards and Bidirectional reverses its per-step outputs back
 *   to input order, so output[t, H:] is the reverse direction's state at t (PyTorch's order).
 * - h_0 / c_0 rows split as PyTorch orders them (layer-major, direction-minor: row l·D + d);
 *   Bidirectional takes [h_f, (c_f), h_b, (c_b)] and returns the final states in that order.
 * - Packed input (lengths, enforce_sorted=False semantics): a [B, T] boolean mask passed to every
 *   layer's call. tfjs's rnn() then keeps the state (and repeats the previous output) at masked
 *   steps with state·1 + held·0, which is exact for finite values, so each sequence stops at its
 *   length; goBackwards reverses the mask with the input, so the reverse direction starts at each
 *   sequence's last valid step. h_n / c_n are the held final states = each sequence's last step.
 *   Two layout steps, no arithmetic: padded input positions are zeroed before tfjs sees them
 *   (PyTorch's packing never reads them; a non-finite padding value would otherwise poison the
 *   held state through NaN·0), and padded output positions (t ≥ length) are set to 0, which is
 *   pad_packed_sequence's padding, where tfjs repeats the held output.
 * - Cells: the same layer over a length-1 sequence (one cell step); output = h′ = hN, cN = c′ for
 *   LSTMCell, as rnnport's runModule returns for cells.
 * - Unbatched input (rank 2 for modules, rank 1 for cells): run with B = 1 and the batch
 *   dimension dropped from the results; time-major input is transposed to Keras's batch-major.
 *
 * Not expressible, thrown as `unsupported(reason)`:
 * - GRU / GRUCell: PyTorch's GRU is "reset after" (b_hn inside r ⊙ (W_hn h + b_hn)); tfjs-layers'
 *   GRU only has Keras's reset_after=False form. Observed with @tensorflow/tfjs 4.22.0:
 *   `tf.layers.gru({ units: 3, resetAfter: true })` throws at construction "ValueError: GRUCell
 *   does not support reset_after parameter set to true." (tensorflow/tfjs issues 4621, 5728).
 * - LSTM with proj_size > 0: tfjs's LSTM has no projection.
 * - float64: tfjs has no float64 dtype; a float32 run would not be a float64 run.
 *
 * One global backend: tfjs has a single active backend per process. `openTfjs(b)` selects b, and
 * each call of its implementation selects b again (awaited) if another runtime switched away, then
 * computes synchronously (dataSync). Two runtimes may be open at once and used one after the
 * other; they are not meant to be used concurrently (a call that finds the backend switched
 * under it between its switch and its computation throws instead of running on the wrong one).
 * Memory: tensors live in tf.tidy scopes; each case's layers are disposed (their variables freed)
 * before the call returns, so tf.memory().numTensors stays flat across cases.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fromStateDict, listModules, Tensor, unsupported, type Implementation } from '../../../dist/index.js';
import type { RunRequest } from '../../../dist/index.js';

export interface TfjsRuntime {
  readonly implementation: Implementation;
  readonly version: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const packageVersion = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

let wasmPathsSet = false;

/**
 * backend 'cpu' (pure JS) or 'wasm' (@tensorflow/tfjs-backend-wasm, its .wasm files read from
 * node_modules). Switches tfjs's global backend (see the file comment).
 * @example const rt = await openTfjs('wasm'); const outcomes = await checkImplementation(rt.implementation, cases); await rt.close();
 */
export async function openTfjs(backend: 'cpu' | 'wasm'): Promise<TfjsRuntime> {
  let version = `@tensorflow/tfjs ${packageVersion('@tensorflow/tfjs')}, backend ${backend}`;
  if (backend === 'wasm') {
    version += ` (@tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')})`;
    if (!wasmPathsSet) {
      // Emscripten's loader in Node reads the binary with fs from this prefix (a folder path with
      // its trailing separator); the plain, SIMD or threaded binary is chosen by feature tests
      // (Node 20: SIMD, no threads without a worker setup).
      setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep);
      wasmPathsSet = true;
    }
  }
  await use(backend);
  let closed = false;
  const implementation: Implementation = async (r) => {
    if (closed) throw new Error(`the tfjs runtime (${version}) is closed`);
    await use(backend);
    // From here on everything is synchronous: no other runtime can switch the backend mid-case.
    if (tf.getBackend() !== backend) throw new Error(`tfjs's backend is ${tf.getBackend()}, not ${backend}: another tfjs runtime is in use concurrently`);
    return run(r);
  };
  return {
    implementation,
    version,
    close: async () => {
      // The backend stays registered and loaded (tfjs cannot re-register a removed backend); every
      // tensor and variable a call made is already disposed.
      closed = true;
    },
  };
}

async function use(backend: 'cpu' | 'wasm'): Promise<void> {
  if (tf.getBackend() === backend) return;
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise its ${backend} backend (tf.setBackend('${backend}') returned false)`);
  await tf.ready();
}

/** What fromStateDict read, the only thing taken from rnnport. */
interface Config {
  readonly kind: string;
  readonly cell: boolean;
  readonly lstm: boolean;
  readonly relu: boolean;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly directions: 1 | 2;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** Full key of each parameter: prefix + PyTorch name. */
  key(name: string): string;
}

function readConfig(r: RunRequest): Config {
  const m = fromStateDict(r.weights, {
    prefix: r.prefix,
    dtype: r.dtype,
    engine: 'reference',
    ...(r.batchFirst && { batchFirst: true }),
    ...(r.nonlinearity !== undefined && { nonlinearity: r.nonlinearity }),
  });
  try {
    const stack = 'numLayers' in m ? m : undefined;
    if (m.kind === 'GRU' || m.kind === 'GRUCell') throw unsupported('no reset_after in tfjs: PyTorch\'s GRU adds b_hn inside r ⊙ (W_hn h + b_hn), tfjs-layers\' GRU rejects resetAfter: true');
    if (stack !== undefined && stack.projSize > 0) throw unsupported("LSTM with proj_size > 0: tfjs's LSTM has no projection");
    if (r.dtype === 'float64') throw unsupported('tfjs has no float64');
    // The prefix fromStateDict resolved (r.prefix may be a parent prefix, or lack its trailing dot).
    const want = r.prefix === '' || r.prefix.endsWith('.') ? r.prefix : `${r.prefix}.`;
    const cell = m.kind.endsWith('Cell');
    const infos = listModules(r.weights).filter((i) => i.kind === m.kind);
    const info = infos.find((i) => i.prefix === want) ?? infos.find((i) => i.prefix.startsWith(want));
    if (info === undefined) throw new Error(`no ${m.kind} under prefix ${JSON.stringify(r.prefix)}`);
    return {
      kind: m.kind,
      cell,
      lstm: m.kind === 'LSTM' || m.kind === 'LSTMCell',
      relu: m.mode === 'RNN_RELU',
      inputSize: m.inputSize,
      hiddenSize: m.hiddenSize,
      numLayers: stack?.numLayers ?? 1,
      directions: stack?.bidirectional === true ? 2 : 1,
      bias: m.bias,
      batchFirst: stack?.batchFirst ?? false,
      key: (name) => info.prefix + name,
    };
  } finally {
    m.dispose();
  }
}

/** A [rows, cols] PyTorch weight as a tf tensor (upcast exactly from float16 / bfloat16). */
function weight(r: RunRequest, c: Config, name: string, shape: readonly number[]): tf.Tensor {
  const t = r.weights.get(c.key(name));
  if (t === undefined) throw new Error(`missing parameter ${c.key(name)}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new Error(`parameter ${c.key(name)}: shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  return tf.tensor(t.to('float32').toFloat32().slice(), [...shape], 'float32');
}

/** The Keras weights of one direction of one layer: [kernel, recurrentKernel, (bias)]. */
function kerasWeights(r: RunRequest, c: Config, layer: number, direction: number, inSize: number): tf.Tensor[] {
  const G = c.lstm ? 4 : 1;
  const H = c.hiddenSize;
  const suffix = c.cell ? '' : `_l${layer}${direction === 1 ? '_reverse' : ''}`;
  const out = [tf.transpose(weight(r, c, `weight_ih${suffix}`, [G * H, inSize])), tf.transpose(weight(r, c, `weight_hh${suffix}`, [G * H, H]))];
  if (c.bias) out.push(tf.add(weight(r, c, `bias_ih${suffix}`, [G * H]), weight(r, c, `bias_hh${suffix}`, [G * H])));
  return out;
}

/** A float32 copy of a tf tensor's values. */
const values = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync() as Float32Array);

function run(r: RunRequest): { output: Tensor; hN: Tensor; cN?: Tensor } {
  const c = readConfig(r);
  const H = c.hiddenSize;
  const L = c.numLayers;
  const D = c.directions;
  const x = r.input.to('float32');
  // Shapes: [B, T, I] for tfjs; `unbatched` drops B from the results.
  const unbatched = x.ndim === (c.cell ? 1 : 2);
  if (x.ndim !== (c.cell ? 2 : 3) && !unbatched) throw new Error(`input of rank ${x.ndim}: expected ${c.cell ? '1 or 2' : '2 or 3'}`);
  const timeMajor = !c.cell && !unbatched && !c.batchFirst;
  const B = c.cell ? (unbatched ? 1 : (x.shape[0] as number)) : unbatched ? 1 : (x.shape[timeMajor ? 1 : 0] as number);
  const T = c.cell ? 1 : (x.shape[unbatched || timeMajor ? 0 : 1] as number);
  const I = x.shape[x.ndim - 1] as number;
  if (I !== c.inputSize) throw new Error(`input feature size ${I}, expected input_size ${c.inputSize}`);

  let lengths: number[] | undefined;
  const xData = x.toFloat32().slice();
  if (r.lengths !== undefined) {
    if (c.cell || unbatched) throw new Error('lengths need a batched nn.RNN / nn.LSTM input');
    lengths = Array.from(r.lengths.data as ArrayLike<number | bigint>, Number);
    if (lengths.length !== B || lengths.some((n) => !Number.isInteger(n) || n < 1 || n > T)) throw new Error(`lengths [${lengths.join(', ')}]: expected ${B} integers in 1…${T}`);
    for (let b = 0; b < B; b++) for (let t = lengths[b] as number; t < T; t++) xData.fill(0, (timeMajor ? t * B + b : b * T + t) * I, (timeMajor ? t * B + b : b * T + t) * I + I);
  }
  const state = (s: Tensor | undefined, size: number): Float32Array | undefined => {
    if (s === undefined) return undefined;
    const v = s.to('float32').toFloat32().slice();
    if (v.length !== L * D * B * size) throw new Error(`initial state of shape [${s.shape.join(', ')}]: expected ${L * D * B * size} values`);
    return v;
  };
  const h0 = state(r.h0, H);
  const c0 = c.lstm ? state(r.c0, H) : undefined;
  if (c.lstm && (h0 === undefined) !== (c0 === undefined)) throw new Error('an LSTM state is the pair (h_0, c_0)');

  const layers: tf.layers.Layer[] = [];
  const box: { result?: { output: Tensor; hN: Tensor; cN?: Tensor } } = {};
  try {
    tf.tidy(() => {
      let seq: tf.Tensor = tf.tensor(xData, c.cell ? [B, 1, I] : unbatched ? [1, T, I] : timeMajor ? [T, B, I] : [B, T, I], 'float32');
      if (timeMajor) seq = tf.transpose(seq, [1, 0, 2]);
      const mask = lengths === undefined ? undefined : tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i % T < (lengths as number[])[Math.floor(i / T)]! ? 1 : 0)), [B, T], 'bool');
      const hN = new Float32Array(L * D * B * H);
      const cN = c.lstm ? new Float32Array(L * D * B * H) : undefined;
      // Row l·D + d of an initial state ([L·D, B, H]) as a [B, H] tf tensor.
      const row = (v: Float32Array, i: number): tf.Tensor => tf.tensor2d(v.slice(i * B * H, (i + 1) * B * H), [B, H]);
      for (let l = 0; l < L; l++) {
        const inSize = l === 0 ? I : D * H;
        const common = { units: H, useBias: c.bias, returnSequences: true, returnState: true, kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' } as const;
        const rnn = c.lstm
          ? tf.layers.lstm({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: false })
          : tf.layers.simpleRNN({ ...common, activation: c.relu ? 'relu' : 'tanh' });
        const layer = D === 2 ? tf.layers.bidirectional({ layer: rnn, mergeMode: 'concat' }) : rnn;
        layers.push(layer);
        // Layer.apply() builds a layer and reference-counts it (dispose() frees its variables only
        // then; tf.layers.bidirectional takes no initial weights): build it on one zero step,
        // then load the weights (forward then backward for Bidirectional).
        tf.tidy(() => void layer.apply(tf.zeros([1, 1, inSize])));
        layer.setWeights(D === 2 ? [...kerasWeights(r, c, l, 0, inSize), ...kerasWeights(r, c, l, 1, inSize)] : kerasWeights(r, c, l, 0, inSize));
        const initialState: tf.Tensor[] = [];
        if (h0 !== undefined) for (let d = 0; d < D; d++) initialState.push(row(h0, l * D + d), ...(c0 === undefined ? [] : [row(c0, l * D + d)]));
        const outs = layer.apply(seq, { ...(initialState.length > 0 && { initialState }), ...(mask !== undefined && { mask }) }) as tf.Tensor[];
        const perDirection = c.lstm ? 2 : 1;
        if (outs.length !== 1 + D * perDirection) throw new Error(`tfjs returned ${outs.length} tensors, expected ${1 + D * perDirection}`);
        for (let d = 0; d < D; d++) {
          hN.set(values(outs[1 + d * perDirection] as tf.Tensor), (l * D + d) * B * H);
          if (cN !== undefined) cN.set(values(outs[2 + d * perDirection] as tf.Tensor), (l * D + d) * B * H);
        }
        seq = outs[0] as tf.Tensor;
      }
      // seq: [B, T, D·H] → PyTorch's layout; padded positions set to pad_packed_sequence's 0.
      const out = values(timeMajor ? tf.transpose(seq, [1, 0, 2]) : seq);
      const F = D * H;
      if (lengths !== undefined) for (let b = 0; b < B; b++) for (let t = lengths[b] as number; t < T; t++) out.fill(0, (timeMajor ? t * B + b : b * T + t) * F, (timeMajor ? t * B + b : b * T + t) * F + F);
      const lead = unbatched ? [] : [B];
      if (c.cell) {
        // One step: output = h′ = hN, and c′ for LSTMCell (rnnport's runModule for cells).
        const h = new Tensor('float32', [...lead, H], out);
        box.result = { output: h, hN: h, ...(cN !== undefined && { cN: new Tensor('float32', [...lead, H], cN) }) };
        return;
      }
      const outShape = unbatched ? [T, F] : timeMajor ? [T, B, F] : [B, T, F];
      box.result = {
        output: new Tensor('float32', outShape, out),
        hN: new Tensor('float32', [L * D, ...lead, H], hN),
        ...(cN !== undefined && { cN: new Tensor('float32', [L * D, ...lead, H], cN) }),
      };
    });
  } finally {
    // Frees each layer's variables (Bidirectional's are its forward and backward layers').
    for (const layer of layers) if (layer.built) layer.dispose();
  }
  if (box.result === undefined) throw new Error('tfjs produced no result');
  return box.result;
}
