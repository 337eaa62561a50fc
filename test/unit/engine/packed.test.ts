/** Expected values printed by PyTorch 2.13's torch.nn.utils.rnn (snippets in comments). */
import { describe, expect, it } from 'vitest';
import { PackedSequence, packPaddedSequence, packSequence, padPackedSequence, padSequence } from '../../../src/engine/packed.js';
import { Tensor, tensor } from '../../../src/tensor.js';
import { codeOf } from '../modules/helpers.js';

const arange = (shape: number[]): Tensor => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape);

describe('packSequence', () => {
  it('packs abc, de, f step by step (the torch docstring example)', () => {
    const p = packSequence([tensor([1, 2, 3], [3]), tensor([4, 5], [2]), tensor([6], [1])]);
    expect([...p.data.data]).toEqual([1, 4, 6, 2, 5, 3]);
    expect([...p.batchSizes]).toEqual([3, 2, 1]);
    expect(p.sortedIndices).toBeNull();
    expect(p.unsortedIndices).toBeNull();
  });

  it('rejects a zero-length sequence and unsorted lengths when enforced', () => {
    expect(codeOf(() => packSequence([tensor([1], [1]), tensor([], [0])]))).toBe('E_LENGTHS');
    expect(codeOf(() => packSequence([tensor([1], [1]), tensor([1, 2], [2])]))).toBe('E_LENGTHS_NOT_SORTED');
    expect(codeOf(() => packSequence([tensor([1], [1]), tensor([1, 2], [2])], { enforceSorted: false }))).toBe('no error');
  });
});

describe('packPaddedSequence / padPackedSequence', () => {
  it('sorts unsorted lengths stably and pads back in the original order', () => {
    // x = arange(12.).reshape(3, 4); p = pack_padded_sequence(x, tensor([2, 3, 2, 1]), enforce_sorted=False)
    const p = packPaddedSequence(arange([3, 4]), new BigInt64Array([2n, 3n, 2n, 1n]), { enforceSorted: false });
    expect([...p.data.data]).toEqual([1, 0, 2, 3, 5, 4, 6, 9]);
    expect([...p.batchSizes]).toEqual([4, 3, 1]);
    expect([...(p.sortedIndices ?? [])]).toEqual([1, 0, 2, 3]);
    expect([...(p.unsortedIndices ?? [])]).toEqual([1, 0, 2, 3]);
    // pad_packed_sequence(p, padding_value=-1.0, total_length=4)
    const [padded, lengths] = padPackedSequence(p, { paddingValue: -1, totalLength: 4 });
    expect(padded.shape).toEqual([4, 4]);
    expect([...padded.data]).toEqual([0, 1, 2, 3, 4, 5, 6, -1, -1, 9, -1, -1, -1, -1, -1, -1]);
    expect([...lengths]).toEqual([2, 3, 2, 1]);
  });

  it('handles batch_first with trailing feature dimensions', () => {
    // xb = arange(24.).reshape(2, 3, 4); p = pack_padded_sequence(xb, [3, 1], batch_first=True)
    const p = packPaddedSequence(arange([2, 3, 4]), [3, 1], { batchFirst: true });
    expect(p.data.shape).toEqual([4, 4]);
    expect([...p.data.data]).toEqual([0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect([...p.batchSizes]).toEqual([2, 1, 1]);
    const [padded, lengths] = padPackedSequence(p, { batchFirst: true });
    expect(padded.shape).toEqual([2, 3, 4]);
    expect([...padded.data]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...lengths]).toEqual([3, 1]);
  });

  it('accepts lengths as an int tensor', () => {
    const lengths = new Tensor('int32', [2], Int32Array.of(1, 3));
    expect([...packPaddedSequence(arange([3, 2]), lengths, { enforceSorted: false }).batchSizes]).toEqual([2, 1, 1]);
  });

  it.each([
    ['a length of 0', [2, 0], 'E_LENGTHS'],
    ['a length above T', [4, 1], 'E_LENGTHS'],
    ['fewer lengths than B', [2], 'E_LENGTHS'],
    ['a fractional length', [2, 1.5], 'E_LENGTHS'],
    ['increasing lengths', [1, 2], 'E_LENGTHS_NOT_SORTED'],
  ] as const)('rejects %s', (_, lengths, code) => {
    expect(codeOf(() => packPaddedSequence(arange([3, 2]), lengths))).toBe(code);
  });

  it('rejects float lengths tensors and a totalLength below the longest', () => {
    expect(codeOf(() => packPaddedSequence(arange([3, 2]), tensor([2, 1], [2])))).toBe('E_LENGTHS');
    const p = packPaddedSequence(arange([3, 2]), [3, 1]);
    expect(codeOf(() => padPackedSequence(p, { totalLength: 2 }))).toBe('E_TOTAL_LENGTH');
  });

  it('checks a hand-made PackedSequence', () => {
    const data = arange([3, 1]);
    expect(codeOf(() => new PackedSequence(data, Int32Array.of(1, 2)))).toBe('E_LENGTHS');
    expect(codeOf(() => new PackedSequence(data, Int32Array.of(2, 2)))).toBe('E_INPUT_SIZE');
    expect(codeOf(() => new PackedSequence(data, new Int32Array(0)))).toBe('E_EMPTY_SEQUENCE');
    expect(codeOf(() => new PackedSequence(data, Int32Array.of(2, 1), Int32Array.of(0, 0)))).toBe('E_LENGTHS');
    expect([...(new PackedSequence(data, Int32Array.of(2, 1), Int32Array.of(1, 0)).unsortedIndices ?? [])]).toEqual([1, 0]);
  });
});

describe('padSequence', () => {
  it('pads zero-length sequences with paddingValue', () => {
    // pad_sequence([tensor([1., 2]), tensor([]), tensor([3.])], batch_first=True, padding_value=9)
    const padded = padSequence([tensor([1, 2], [2]), tensor([], [0]), tensor([3], [1])], { batchFirst: true, paddingValue: 9 });
    expect(padded.shape).toEqual([3, 2]);
    expect([...padded.data]).toEqual([1, 2, 9, 9, 3, 9]);
  });

  it('rejects an empty list, mixed trailing shapes and mixed dtypes', () => {
    expect(codeOf(() => padSequence([]))).toBe('E_EMPTY_SEQUENCE');
    expect(codeOf(() => padSequence([arange([2, 2]), arange([2, 3])]))).toBe('E_INPUT_SIZE');
    expect(codeOf(() => padSequence([arange([2]), tensor([1], [1], 'float64')]))).toBe('E_INPUT_DTYPE');
  });
});
