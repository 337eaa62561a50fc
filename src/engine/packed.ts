/**
 * Packed sequences, as torch.nn.utils.rnn (PyTorch 2.13, right padding):
 * https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/utils/rnn.py
 *
 * For sequences `abc`, `de`, `f` (lengths 3, 2, 1) the packed data is `a d f b e c`, step by
 * step, with batchSizes [3, 2, 1]: step t holds the first batchSizes[t] sequences.
 * Unsorted lengths (enforceSorted false) are sorted descending first: `sortedIndices[j]` is the
 * original batch index of sorted position j, and `unsortedIndices` is its inverse.
 * Ties keep their original order (a stable sort); PyTorch's order of ties is unspecified for
 * ≥ 17 sequences, and no result depends on it.
 * Index arrays (batchSizes, sortedIndices, unsortedIndices, lengths) are Int32Array here where
 * PyTorch uses int64 tensors.
 */
import { DTYPES, numberToBfloat16, numberToFloat16, type DType, type TensorData } from '../dtype.js';
import { fail } from '../errors.js';
import { formatShape, numel, Tensor } from '../tensor.js';

/** Sequence lengths: integers ≥ 1, as a list, an Int32Array / BigInt64Array, or a 1-d int tensor. */
export type Lengths = readonly number[] | Int32Array | BigInt64Array | Tensor;

/**
 * Rows of variable-length sequences stacked step by step.
 * @see torch.nn.utils.rnn.PackedSequence
 */
export class PackedSequence {
  /** (N, *): the rows of step 0, then of step 1, … N = sum(batchSizes). */
  readonly data: Tensor;
  /** Rows active at each step, non-increasing, all ≥ 1. */
  readonly batchSizes: Int32Array;
  /** sortedIndices[j] = original batch index of sorted position j; null when given sorted. */
  readonly sortedIndices: Int32Array | null;
  /** The inverse permutation of sortedIndices; null when given sorted. */
  readonly unsortedIndices: Int32Array | null;

  constructor(data: Tensor, batchSizes: Int32Array, sortedIndices: Int32Array | null = null, unsortedIndices: Int32Array | null = null) {
    if (batchSizes.length === 0) throw fail('E_EMPTY_SEQUENCE', { what: 'batchSizes', expected: 'at least one step', got: 'none' });
    let n = 0;
    for (let t = 0; t < batchSizes.length; t++) {
      const bs = batchSizes[t];
      if (bs < 1 || (t > 0 && bs > batchSizes[t - 1])) {
        throw fail('E_LENGTHS', { what: `batchSizes[${t}]`, expected: 'non-increasing sizes ≥ 1', got: String(bs) });
      }
      n += bs;
    }
    if (data.ndim < 1 || data.shape[0] !== n) {
      throw fail('E_INPUT_SIZE', { what: 'PackedSequence data.shape[0]', expected: `${n} (sum of batchSizes)`, got: data.ndim < 1 ? '0-d data' : String(data.shape[0]) });
    }
    const B = batchSizes[0];
    if (sortedIndices !== null) checkPermutation('sortedIndices', sortedIndices, B);
    if (unsortedIndices !== null) checkPermutation('unsortedIndices', unsortedIndices, B);
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    // PyTorch derives unsorted_indices from sorted_indices when only that is given.
    // https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/utils/rnn.py#L206
    this.unsortedIndices = unsortedIndices ?? (sortedIndices === null ? null : invertPermutation(sortedIndices));
  }
}

function checkPermutation(what: string, p: Int32Array, B: number): void {
  const seen = new Uint8Array(B);
  let ok = p.length === B;
  for (let j = 0; ok && j < p.length; j++) {
    ok = p[j] >= 0 && p[j] < B && seen[p[j]] === 0;
    seen[p[j]] = 1;
  }
  if (!ok) throw fail('E_LENGTHS', { what, expected: `a permutation of 0…${B - 1}`, got: `[${p.join(', ')}]` });
}

/** q with q[p[j]] = j. @see torch.nn.utils.rnn.invert_permutation */
export function invertPermutation(p: Int32Array): Int32Array {
  const q = new Int32Array(p.length);
  for (let j = 0; j < p.length; j++) q[p[j]] = j;
  return q;
}

/** Lengths as plain integers; E_LENGTHS for non-integers (PyTorch truncates floats; rnnport refuses). */
export function lengthsToArray(lengths: Lengths): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.ndim !== 1) throw fail('E_LENGTHS', { what: 'lengths', expected: 'a 1-d tensor', got: formatShape(lengths.shape) });
    if (!/^u?int/.test(lengths.dtype)) throw fail('E_LENGTHS', { what: 'lengths dtype', expected: 'an integer dtype', got: lengths.dtype });
    return lengthsToArray(Array.from(lengths.data as ArrayLike<number | bigint>, Number));
  }
  return Array.from(lengths as ArrayLike<number | bigint>, (v, i) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw fail('E_LENGTHS', { what: `lengths[${i}]`, expected: 'an integer', got: String(v) });
    return n;
  });
}

/**
 * Packs a padded batch. input: (T, B, *), or (B, T, *) with batchFirst.
 * @see torch.nn.utils.rnn.pack_padded_sequence
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: Lengths,
  options: { readonly batchFirst?: boolean; readonly enforceSorted?: boolean } = {},
): PackedSequence {
  const batchFirst = options.batchFirst ?? false;
  const enforceSorted = options.enforceSorted ?? true;
  if (input.ndim < 2) throw fail('E_INPUT_RANK', { what: 'pack_padded_sequence input', expected: `≥ 2 dims (${batchFirst ? 'B, T' : 'T, B'}, *)`, got: `${input.ndim}-d ${formatShape(input.shape)}` });
  const T = input.shape[batchFirst ? 1 : 0];
  const B = input.shape[batchFirst ? 0 : 1];
  const len = lengthsToArray(lengths);
  if (len.length !== B) throw fail('E_LENGTHS', { what: 'len(lengths)', expected: `${B} (batch size)`, got: String(len.length) });
  for (const [i, l] of len.entries()) {
    if (l < 1 || l > T) throw fail('E_LENGTHS', { what: `lengths[${i}]`, expected: `1 ≤ length ≤ ${T} (padded steps)`, got: String(l) });
  }
  let sorted: Int32Array | null = null;
  if (enforceSorted) {
    for (let i = 1; i < B; i++) {
      if (len[i] > len[i - 1]) {
        throw fail('E_LENGTHS_NOT_SORTED', { what: `lengths[${i}]`, expected: `≤ lengths[${i - 1}] = ${len[i - 1]} (enforceSorted)`, got: String(len[i]) });
      }
    }
  } else {
    // torch.sort(lengths, descending=True) (https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/utils/rnn.py#L318); Array.prototype.sort is stable, so ties keep their order.
    sorted = Int32Array.from([...len.keys()].sort((a, b) => len[b] - len[a]));
  }
  const order = sorted ?? Int32Array.from(len.keys());
  const maxLen = B === 0 ? 0 : len[order[0]];
  const batchSizes = new Int32Array(maxLen);
  for (const l of len) for (let t = 0; t < l; t++) batchSizes[t]++;
  const rest = input.shape.slice(2);
  const row = numel(rest);
  const N = len.reduce((a, b) => a + b, 0);
  const data = DTYPES[input.dtype].alloc(N * row);
  let dst = 0;
  for (let t = 0; t < maxLen; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const b = order[j];
      copy(input.data, (batchFirst ? b * T + t : t * B + b) * row, data, dst, row);
      dst += row;
    }
  }
  return new PackedSequence(new Tensor(input.dtype, [N, ...rest], data), batchSizes, sorted);
}

/**
 * Pads a packed batch back, in the original batch order. Returns `[padded, lengths]` like
 * PyTorch: padded (T', B, *) or (B, T', *), T' = totalLength ?? longest length.
 * @see torch.nn.utils.rnn.pad_packed_sequence
 */
export function padPackedSequence(
  sequence: PackedSequence,
  options: { readonly batchFirst?: boolean; readonly paddingValue?: number; readonly totalLength?: number } = {},
): [Tensor, Int32Array] {
  const batchFirst = options.batchFirst ?? false;
  const { batchSizes, data } = sequence;
  const T = batchSizes.length;
  const B = batchSizes[0];
  let steps = T;
  if (options.totalLength !== undefined) {
    const total = options.totalLength;
    if (!Number.isSafeInteger(total) || total < T) {
      throw fail('E_TOTAL_LENGTH', { what: 'totalLength', expected: `an integer ≥ ${T} (longest sequence)`, got: String(total) });
    }
    steps = total;
  }
  const rest = data.shape.slice(1);
  const row = numel(rest);
  const out = DTYPES[data.dtype].alloc(steps * B * row);
  fill(out, data.dtype, options.paddingValue ?? 0);
  // Sorted position j goes to original batch index sortedIndices[j] (≡ index_select by unsortedIndices).
  // https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/utils/rnn.py#L396-L399
  const original = sequence.sortedIndices ?? Int32Array.from({ length: B }, (_, j) => j);
  const lengths = new Int32Array(B);
  let src = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const b = original[j];
      copy(data.data, src, out, (batchFirst ? b * steps + t : t * B + b) * row, row);
      src += row;
      lengths[b] = t + 1;
    }
  }
  const shape = batchFirst ? [B, steps, ...rest] : [steps, B, ...rest];
  return [new Tensor(data.dtype, shape, out), lengths];
}

/**
 * Pads a list of (L_i, *) sequences to (max L, B, *), or (B, max L, *) with batchFirst.
 * Zero-length sequences are allowed (all padding).
 * @see torch.nn.utils.rnn.pad_sequence (padding_side 'right')
 */
export function padSequence(
  sequences: readonly Tensor[],
  options: { readonly batchFirst?: boolean; readonly paddingValue?: number } = {},
): Tensor {
  const first = sequences[0];
  if (first === undefined) throw fail('E_EMPTY_SEQUENCE', { what: 'pad_sequence sequences', expected: 'at least one tensor', got: 'an empty list' });
  const rest = first.shape.slice(1);
  for (const [i, s] of sequences.entries()) {
    if (s.ndim < 1) throw fail('E_INPUT_RANK', { what: `sequences[${i}]`, expected: '≥ 1 dims (L, *)', got: '0-d' });
    if (s.dtype !== first.dtype) throw fail('E_INPUT_DTYPE', { what: `sequences[${i}].dtype`, expected: first.dtype, got: s.dtype });
    if (formatShape(s.shape.slice(1)) !== formatShape(rest)) {
      throw fail('E_INPUT_SIZE', { what: `sequences[${i}].shape`, expected: `(L, ${rest.join(', ')})`, got: formatShape(s.shape) });
    }
  }
  const batchFirst = options.batchFirst ?? false;
  const B = sequences.length;
  const T = Math.max(...sequences.map((s) => s.shape[0]));
  const row = numel(rest);
  const out = DTYPES[first.dtype].alloc(T * B * row);
  fill(out, first.dtype, options.paddingValue ?? 0);
  for (const [b, s] of sequences.entries()) {
    for (let t = 0; t < (s.shape[0]); t++) copy(s.data, t * row, out, (batchFirst ? b * T + t : t * B + b) * row, row);
  }
  return new Tensor(first.dtype, batchFirst ? [B, T, ...rest] : [T, B, ...rest], out);
}

/**
 * Packs a list of (L_i, *) sequences: packPaddedSequence(padSequence(list), lengths).
 * @see torch.nn.utils.rnn.pack_sequence
 */
export function packSequence(sequences: readonly Tensor[], options: { readonly enforceSorted?: boolean } = {}): PackedSequence {
  const padded = padSequence(sequences);
  return packPaddedSequence(padded, sequences.map((s) => s.shape[0]), options);
}

function copy(src: TensorData, from: number, dst: TensorData, to: number, n: number): void {
  // Same dtype on both sides, so the same typed-array class.
  (dst as Float64Array).set((src as Float64Array).subarray(from, from + n), to);
}

function fill(out: TensorData, dtype: DType, value: number): void {
  if (value === 0) return;
  switch (dtype) {
    case 'float16':
      (out as Uint16Array).fill(numberToFloat16(value));
      return;
    case 'bfloat16':
      (out as Uint16Array).fill(numberToBfloat16(value));
      return;
    case 'int64':
    case 'uint64':
      (out as BigInt64Array).fill(BigInt(value));
      return;
    case 'float8_e4m3fn':
    case 'float8_e5m2':
      throw fail('E_DTYPE_UNSUPPORTED', { what: 'paddingValue for a float8 tensor', expected: '0', got: String(value) });
    default:
      (out as Float64Array).fill(value);
  }
}
