/** Packed-sequence invariants (torch.nn.utils.rnn semantics) on random batches. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packPaddedSequence, packSequence, padPackedSequence, padSequence } from '../../src/engine/packed.js';
import { Tensor } from '../../src/tensor.js';
import { uniform } from '../unit/modules/helpers.js';

const RUNS = { numRuns: 300 };

const batchArb = fc
  .record({
    T: fc.integer({ min: 1, max: 6 }),
    B: fc.integer({ min: 1, max: 6 }),
    F: fc.integer({ min: 0, max: 3 }),
    batchFirst: fc.boolean(),
    enforceSorted: fc.boolean(),
    seed: fc.nat(),
    raw: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 6, maxLength: 6 }),
    paddingValue: fc.constantFrom(0, -1, 7.5),
  })
  .map(({ raw, T, B, enforceSorted, ...rest }) => {
    const lengths = raw.slice(0, B).map((l) => Math.min(l, T));
    if (enforceSorted) lengths.sort((a, b) => b - a);
    return { T, B, lengths, enforceSorted, ...rest };
  });

describe('packed sequences', () => {
  it('pack → pad gives the input back on valid steps and paddingValue elsewhere', () => {
    fc.assert(
      fc.property(batchArb, ({ T, B, F, batchFirst, enforceSorted, seed, lengths, paddingValue }) => {
        const x = uniform(batchFirst ? [B, T, F] : [T, B, F], seed);
        const packed = packPaddedSequence(x, lengths, { batchFirst, enforceSorted });
        const [padded, got] = padPackedSequence(packed, { batchFirst, paddingValue, totalLength: T });
        expect([...got]).toEqual(lengths);
        expect(padded.shape).toEqual(x.shape);
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            for (let f = 0; f < F; f++) {
              const i = ((batchFirst ? b * T + t : t * B + b) * F) + f;
              expect(padded.data[i]).toBe(t < (lengths[b] as number) ? x.data[i] : Math.fround(paddingValue));
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('batchSizes count the active sequences; sortedIndices order by length, ties stable', () => {
    fc.assert(
      fc.property(batchArb, ({ T, B, lengths, enforceSorted }) => {
        const packed = packPaddedSequence(new Tensor('float32', [T, B], new Float32Array(T * B)), lengths, { enforceSorted });
        const maxLen = Math.max(...lengths);
        expect([...packed.batchSizes]).toEqual(Array.from({ length: maxLen }, (_, t) => lengths.filter((l) => l > t).length));
        if (enforceSorted) {
          expect(packed.sortedIndices).toBeNull();
        } else {
          const sorted = [...(packed.sortedIndices ?? [])];
          const expected = lengths.map((_, i) => i).sort((a, b) => (lengths[b] as number) - (lengths[a] as number) || a - b);
          expect(sorted).toEqual(expected);
          expect(sorted.map((_, i) => sorted[packed.unsortedIndices?.[i] as number])).toEqual(lengths.map((_, i) => i));
        }
        expect(packed.data.shape[0]).toBe(lengths.reduce((a, b) => a + b, 0));
      }),
      RUNS,
    );
  });

  it('packSequence then pad equals padSequence', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }), fc.nat(), (lengths, seed) => {
        const list = lengths.map((l, i) => uniform([l, 2], seed + i));
        const [padded, got] = padPackedSequence(packSequence(list, { enforceSorted: false }));
        expect(padded.data).toEqual(padSequence(list).data);
        expect([...got]).toEqual(lengths);
      }),
      RUNS,
    );
  });
});
