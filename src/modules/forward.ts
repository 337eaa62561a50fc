/**
 * The shape logic of `forward`, in one place for every module (and for `stream`): check the
 * input and states once, turn them into the engines' packed layout (see Note [packed layout
 * everywhere] in src/engine/types.ts), run, and shape the results exactly as PyTorch does
 * (docs/semantics.md, "Shapes"):
 *   input (T, B, I) | batch-first (B, T, I) | unbatched (T, I) | PackedSequence (N, I)
 *   output (T, B, D·H_out) | (B, T, D·H_out) | (T, D·H_out) | PackedSequence (N, D·H_out)
 *   h_0 / h_n (L·D, B, H_out), c_0 / c_n (L·D, B, H); unbatched: no B. Never batch-first.
 * With a PackedSequence, h_0 is permuted into the sorted order and h_n back, as
 * RNNBase.permute_hidden does (torch/nn/modules/rnn.py, LSTM.forward):
 * https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/modules/rnn.py#L1160
 * https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/modules/rnn.py#L1198
 */
import { isCell, numDirections, outSize, type ModuleKind, type StackConfig } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { PackedSequence } from '../engine/packed.js';
import type { FloatArray, PreparedStack, StackInput } from '../engine/types.js';
import { badArgument, fail } from '../errors.js';
import { formatShape, Tensor } from '../tensor.js';

/** What forward needs to know of a module. */
export interface ForwardSpec extends StackConfig {
  readonly kind: ModuleKind;
  readonly batchFirst: boolean;
  readonly dtype: FloatDType;
}

/** A module's initial state: h_0, or the pair (h_0, c_0) for nn.LSTM / nn.LSTMCell (PyTorch's `hx`). */
export type Hx = Tensor | readonly [Tensor, Tensor];

/** What every module's `forward` returns: output (h′ for a cell), h_n, and c_n for LSTM / LSTMCell. */
export interface ForwardResult<O extends Tensor | PackedSequence = Tensor | PackedSequence> {
  readonly output: O;
  readonly hN: Tensor;
  readonly cN?: Tensor;
}

/** Checks that a tensor has the module's dtype (PyTorch does not promote). */
export function checkDType(what: string, t: Tensor, dtype: FloatDType): FloatArray {
  if (!(t instanceof Tensor)) throw badArgument(what, 'a Tensor', t);
  if (t.dtype !== dtype) throw fail('E_INPUT_DTYPE', { what: `${what}.dtype`, expected: `${dtype} (the module's dtype)`, got: t.dtype });
  return t.data as FloatArray;
}

/** Checks a state tensor against its expected shape; rank and size mismatches are E_HIDDEN_SHAPE. */
export function checkState(what: string, t: Tensor, shape: readonly number[], dtype: FloatDType): FloatArray {
  const data = checkDType(what, t, dtype);
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw fail('E_HIDDEN_SHAPE', { what: `${what}.shape`, expected: formatShape(shape), got: formatShape(t.shape) });
  }
  return data;
}

/** out[k, i, :] = a[k, perm[i], :] for a (K, B, F) array. */
function permuteBatch(a: FloatArray, K: number, B: number, F: number, perm: Int32Array): FloatArray {
  const out = a.slice();
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < B; i++) out.set(a.subarray((k * B + perm[i]!) * F, (k * B + perm[i]! + 1) * F), (k * B + i) * F);
  }
  return out;
}

/** Swaps the first two axes of a (P, Q, F) array. */
function swap01(a: FloatArray, P: number, Q: number, F: number): FloatArray {
  const out = a.slice();
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) out.set(a.subarray((p * Q + q) * F, (p * Q + q + 1) * F), (q * P + p) * F);
  }
  return out;
}

/** Runs a stack module (RNN / GRU / LSTM) on dense or packed input. */
function forwardStack(
  spec: ForwardSpec,
  prepared: PreparedStack,
  input: Tensor | PackedSequence,
  h0: Tensor | undefined,
  c0: Tensor | undefined,
): ForwardResult {
  const { dtype, inputSize: I, hiddenSize: H } = spec;
  const D = numDirections(spec);
  const LD = spec.numLayers * D;
  const Hout = outSize(spec);
  const packed = input instanceof PackedSequence ? input : null;
  const data = packed === null ? (input as Tensor) : packed.data;
  let x = checkDType(packed === null ? 'input' : 'input.data', data, dtype);
  const rank = data.ndim;
  if (packed !== null ? rank !== 2 : rank !== 2 && rank !== 3) {
    throw fail('E_INPUT_RANK', {
      what: packed === null ? 'input' : 'input.data',
      expected: packed === null ? `2-d (T, I) or 3-d ${spec.batchFirst ? '(B, T, I)' : '(T, B, I)'}` : '2-d (N, I)',
      got: `${rank}-d ${formatShape(data.shape)}`,
    });
  }
  if (data.shape[rank - 1] !== I) {
    throw fail('E_INPUT_SIZE', { what: `input.shape[${rank - 1}]`, expected: `${I} (input_size)`, got: String(data.shape[rank - 1]) });
  }
  const unbatched = packed === null && rank === 2;
  const batchFirst = packed === null && rank === 3 && spec.batchFirst;
  let batchSizes: Int32Array;
  if (packed !== null) {
    batchSizes = packed.batchSizes;
  } else {
    const T = data.shape[batchFirst ? 1 : 0]!;
    const B = unbatched ? 1 : data.shape[batchFirst ? 0 : 1]!;
    if (T === 0) throw fail('E_EMPTY_SEQUENCE', { what: 'input sequence length', expected: '≥ 1 step', got: `0 in ${formatShape(data.shape)}` });
    if (batchFirst) x = swap01(x, B, T, I);
    batchSizes = new Int32Array(T).fill(B);
  }
  const B = batchSizes[0]!;
  const stateShape = (F: number): number[] => (unbatched ? [LD, F] : [LD, B, F]);
  const sorted = packed?.sortedIndices ?? null;
  const state = (what: string, t: Tensor | undefined, F: number): FloatArray | null => {
    if (t === undefined) return null;
    const a = checkState(what, t, stateShape(F), dtype);
    return sorted === null ? a : permuteBatch(a, LD, B, F, sorted);
  };
  const stackInput: StackInput = { x, batchSizes, h0: state('h0', h0, Hout), c0: state('c0', c0, H) };
  const out = prepared.run(stackInput);
  const unsorted = packed?.unsortedIndices ?? null;
  const result = (a: FloatArray, F: number): Tensor => new Tensor(dtype, stateShape(F), unsorted === null ? a : permuteBatch(a, LD, B, F, unsorted));
  const T = batchSizes.length;
  let output: Tensor | PackedSequence;
  if (packed !== null) {
    output = new PackedSequence(new Tensor(dtype, [data.shape[0]!, D * Hout], out.output), batchSizes, packed.sortedIndices, packed.unsortedIndices);
  } else if (unbatched) {
    output = new Tensor(dtype, [T, D * Hout], out.output);
  } else if (batchFirst) {
    output = new Tensor(dtype, [B, T, D * Hout], swap01(out.output, T, B, D * Hout));
  } else {
    output = new Tensor(dtype, [T, B, D * Hout], out.output);
  }
  const hN = result(out.hN, Hout);
  return out.cN === null ? { output, hN } : { output, hN, cN: result(out.cN, H) };
}

/** Runs a cell (a 1-layer stack for one step): input (B, I) or unbatched (I); states (B, H) or (H). output = h′. */
function forwardCell(
  spec: ForwardSpec,
  prepared: PreparedStack,
  input: Tensor,
  h0: Tensor | undefined,
  c0: Tensor | undefined,
): ForwardResult<Tensor> {
  const { dtype, inputSize: I, hiddenSize: H } = spec;
  const x = checkDType('input', input, dtype);
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw fail('E_INPUT_RANK', { what: 'input', expected: '1-d (I) or 2-d (B, I)', got: `${input.ndim}-d ${formatShape(input.shape)}` });
  }
  if (input.shape[input.ndim - 1] !== I) {
    throw fail('E_INPUT_SIZE', { what: `input.shape[${input.ndim - 1}]`, expected: `${I} (input_size)`, got: String(input.shape[input.ndim - 1]) });
  }
  const shape = input.ndim === 1 ? [H] : [input.shape[0]!, H];
  const out = prepared.run({
    x,
    batchSizes: Int32Array.of(input.ndim === 1 ? 1 : input.shape[0]!),
    h0: h0 === undefined ? null : checkState('hx', h0, shape, dtype),
    c0: c0 === undefined ? null : checkState('cx', c0, shape, dtype),
  });
  const hN = new Tensor(dtype, shape, out.hN);
  return out.cN === null ? { output: hN, hN } : { output: hN, hN, cN: new Tensor(dtype, shape, out.cN) };
}

/**
 * The one forward of every module kind: checks the arguments' kinds, splits `hx` into h_0 / c_0
 * (a pair for LSTM / LSTMCell, a Tensor otherwise), and runs the stack or the cell.
 */
export function forwardModule(spec: ForwardSpec, prepared: PreparedStack, input: Tensor | PackedSequence, hx: Hx | undefined): ForwardResult {
  const cell = isCell(spec.kind);
  if (!(input instanceof Tensor) && (cell || !(input instanceof PackedSequence))) {
    throw badArgument(`${spec.kind}.forward(input)`, cell ? 'a Tensor (a cell takes one step, not a PackedSequence)' : 'a Tensor or a PackedSequence', input);
  }
  let h0: Tensor | undefined;
  let c0: Tensor | undefined;
  if (hx !== undefined && hx !== null) {
    const lstm = spec.mode === 'LSTM';
    const pair = Array.isArray(hx);
    if (lstm !== pair || (pair && hx.length !== 2)) {
      throw fail('E_HIDDEN_SHAPE', {
        what: `${spec.kind}.forward(input, hx): hx`,
        expected: lstm ? 'an (h_0, c_0) pair of Tensors' : 'a Tensor h_0',
        got: pair ? `an array of ${hx.length}` : 'a single Tensor',
      });
    }
    [h0, c0] = pair ? (hx as readonly [Tensor, Tensor]) : [hx as Tensor, undefined];
  }
  return cell ? forwardCell(spec, prepared, input as Tensor, h0, c0) : forwardStack(spec, prepared, input, h0, c0);
}
