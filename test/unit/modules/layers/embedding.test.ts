// nn.Embedding: a gather of weight rows by integer indices in any of the forms users hold them
// (int64 / int32 tensors, BigInt64Array from an .npy, nested arrays), with PyTorch's checks.
import { describe, expect, it } from 'vitest';
import { Embedding } from '../../../../src/modules/layers/embedding.js';
import { Tensor, tensor } from '../../../../src/tensor.js';
import { codeAt, codeOf, errorOf } from '../../../support/errors.js';
import { pattern } from '../helpers.js';

/** weight (5, 3): row r = [r, 10 + r, 100 + r]. */
const table = (): Tensor => tensor(Array.from({ length: 15 }, (_, i) => [0, 10, 100][i % 3]! + Math.floor(i / 3)), [5, 3]);
const sd = new Map([['encoder.embedding.weight', table()]]);
const rows = (t: Tensor): number[] => Array.from(t.data as Float32Array).filter((_, i) => i % 3 === 0);

describe('Embedding', () => {
  it('reads num_embeddings and embedding_dim from the weight at a prefix', () => {
    const e = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding' });
    expect([e.kind, e.numEmbeddings, e.embeddingDim, e.paddingIdx, e.maxNorm, e.normType, e.dtype]).toEqual(['Embedding', 5, 3, null, null, 2, 'float32']);
    expect([...e.stateDict().keys()]).toEqual(['weight']);
  });

  for (const engine of ['reference', 'fast'] as const) {
    it(`gathers rows for every index form; output shape input.shape + (embedding_dim,) (${engine} engine)`, () => {
      const e = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding', engine });
      expect(e.engine).toBe(engine);
      const forms = [
        tensor(BigInt64Array.from([4n, 0n, 2n, 2n]), [2, 2]),
        tensor(Int32Array.from([4, 0, 2, 2]), [2, 2]),
        [[4, 0], [2, 2]],
        [[4n, 0n], [2n, 2n]],
      ];
      for (const input of forms) {
        const y = e.forward(input);
        expect(y.shape).toEqual([2, 2, 3]);
        expect(Array.from(y.data as Float32Array)).toEqual([4, 14, 104, 0, 10, 100, 2, 12, 102, 2, 12, 102]);
      }
      expect(rows(e.forward(BigInt64Array.from([1n, 3n])))).toEqual([1, 3]);
      expect(rows(e.forward(Int32Array.from([3])))).toEqual([3]);
      expect(e.forward(tensor(BigInt64Array.of(2n), [])).shape).toEqual([3]);
      expect(e.forward([]).shape).toEqual([0, 3]);
      expect(e.forward(tensor(new BigInt64Array(0), [2, 0])).shape).toEqual([2, 0, 3]);
    });
  }

  it('normalises a negative padding_idx as PyTorch and changes nothing else', () => {
    const e = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding', paddingIdx: -1 });
    expect(e.paddingIdx).toBe(4);
    expect(rows(e.forward([4, 0]))).toEqual([4, 0]);
    expect(new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 0 }, { weight: table() }).paddingIdx).toBe(0);
    for (const paddingIdx of [5, -6, 1.5]) {
      expect(codeOf(() => new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx }, { weight: table() }))).toBe('E_BAD_OPTION');
    }
  });

  it('rejects an index outside [0, num_embeddings) with E_INDEX_OUT_OF_RANGE, naming its position', () => {
    const e = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding' });
    expect(errorOf(() => e.forward([[0, 1], [2, 5]]))).toMatchObject({ code: 'E_INDEX_OUT_OF_RANGE', detail: { what: 'input[1, 1]', expected: 'an index in [0, 5) (num_embeddings 5)', got: '5' } });
    expect(errorOf(() => e.forward(BigInt64Array.from([0n, -1n]))).detail).toMatchObject({ what: 'input[1]', got: '-1' });
    expect(codeOf(() => e.forward(tensor(BigInt64Array.from([2n ** 40n]), [1])))).toBe('E_INDEX_OUT_OF_RANGE');
  });

  it('takes integer indices only: float tensors, float arrays and fractions are E_INPUT_DTYPE', () => {
    const e = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding' });
    expect(errorOf(() => e.forward(tensor([1, 2], [2]))).detail).toMatchObject({ expected: 'int64 or int32 indices', got: 'float32' });
    expect(codeOf(() => e.forward(tensor(Uint8Array.from([1]), [1])))).toBe('E_INPUT_DTYPE');
    expect(codeOf(() => e.forward(Float32Array.from([1]) as never))).toBe('E_INPUT_DTYPE');
    expect(errorOf(() => e.forward([0, 1.5])).detail).toMatchObject({ what: 'input[1]', got: '1.5' });
    expect(codeOf(() => e.forward([[0, 1], [2]]))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => e.forward(['1'] as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => e.forward({} as never))).toBe('E_BAD_ARGUMENT');
  });

  it('renormalises looked-up rows with max_norm, leaving its weights as they are', () => {
    const weight = pattern([4, 3], 0);
    const e = new Embedding({ numEmbeddings: 4, embeddingDim: 3, maxNorm: 0.5 }, { weight });
    const y = e.forward([0, 1, 2, 3]).data as Float32Array;
    for (let r = 0; r < 4; r++) {
      const row = (weight.data as Float32Array).subarray(r * 3, r * 3 + 3);
      const norm = Math.hypot(...row);
      const got = Math.hypot(...y.subarray(r * 3, r * 3 + 3));
      expect(got).toBeCloseTo(norm > 0.5 ? 0.5 : norm, 6);
    }
    expect(e.stateDict().get('weight')!.data).toEqual(weight.data);
    const inf = new Embedding({ numEmbeddings: 4, embeddingDim: 3, maxNorm: 0.25, normType: Infinity }, { weight });
    expect(Math.max(...Array.from(inf.forward([1]).data as Float32Array, Math.abs))).toBeCloseTo(0.25, 6);
    expect(codeOf(() => new Embedding({ numEmbeddings: 4, embeddingDim: 3, maxNorm: -1 }, { weight }))).toBe('E_BAD_OPTION');
  });

  it('has no bias: a bias at its prefix is E_UNEXPECTED_PARAMETER; a weight of rank ≠ 2 is E_PARAMETER_SHAPE', () => {
    const withBias = new Map([...sd, ['encoder.embedding.bias', tensor([0, 0, 0, 0, 0], [5])]]);
    expect(codeAt(() => Embedding.fromStateDict(withBias, { prefix: 'encoder.embedding' }))).toEqual({ code: 'E_UNEXPECTED_PARAMETER', at: 'encoder.embedding.bias' });
    expect(codeAt(() => Embedding.fromStateDict(new Map([['weight', tensor([1, 2], [2])]])))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'weight' });
    expect(codeAt(() => Embedding.fromStateDict(sd))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'weight' });
  });

  it('computes in float64 when the table is float64, and refuses to run after dispose', () => {
    const e = new Embedding({ numEmbeddings: 4, embeddingDim: 3 }, { weight: pattern([4, 3], 0, 'float64') });
    expect(e.forward([1]).dtype).toBe('float64');
    e.dispose();
    expect(codeOf(() => e.forward([1]))).toBe('E_DISPOSED');
  });
});
