// Round trips: random dtype / shape / names / metadata → write → read → the same values, and
// writing what was read gives the same bytes (the writers are byte-reproducible).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTYPES, DTYPE_NAMES, type DType } from '../../src/dtype.js';
import { loadStateDictSync, openWeights } from '../../src/io/load.js';
import { parseNpy, saveNpy } from '../../src/io/npy.js';
import { saveNpz } from '../../src/io/npz.js';
import { saveSafetensors } from '../../src/io/safetensors.js';
import { bytesSource } from '../../src/io/source.js';
import { Tensor } from '../../src/tensor.js';

const NUMPY_DTYPES = DTYPE_NAMES.filter((d) => DTYPES[d].numpy !== null);

function tensorArb(dtypes: readonly DType[]): fc.Arbitrary<Tensor> {
  return fc
    .record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }) })
    .chain(({ dtype, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.uint8Array({ minLength: n * DTYPES[dtype].itemSize, maxLength: n * DTYPES[dtype].itemSize }).map((bytes) => new Tensor(dtype, shape, DTYPES[dtype].make(bytes.slice().buffer, 0, n)));
    });
}

const name = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/\p{Surrogate}/u.test(s) && s !== '__metadata__');
const stateDict = (dtypes: readonly DType[]): fc.Arbitrary<Map<string, Tensor>> =>
  fc.uniqueArray(fc.tuple(name, tensorArb(dtypes)), { selector: ([k]) => k, maxLength: 5 }).map((entries) => new Map(entries));
const metadata = fc.dictionary(name.filter((k) => k !== '__proto__'), fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/\p{Surrogate}/u.test(s)), { maxKeys: 3 });

const raw = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
function expectSame(back: Map<string, Tensor>, sd: Map<string, Tensor>): void {
  expect([...back.keys()]).toEqual([...sd.keys()]);
  for (const [k, t] of sd) {
    const b = back.get(k) as Tensor;
    expect([b.dtype, b.shape]).toEqual([t.dtype, t.shape]);
    expect(raw(b)).toEqual(raw(t));
  }
}

describe('writer → reader round trips', () => {
  it('safetensors: every dtype, names, metadata', () => {
    fc.assert(
      fc.property(stateDict(DTYPE_NAMES), metadata, (sd, meta) => {
        const bytes = saveSafetensors(sd, meta);
        const index = openWeights(bytesSource(bytes));
        expect(index.metadata).toEqual(meta);
        const back = index.load();
        expectSame(back, sd);
        expect(saveSafetensors(back, meta)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('npy: every numpy dtype and shape', () => {
    fc.assert(
      fc.property(tensorArb(NUMPY_DTYPES), (t) => {
        const bytes = saveNpy(t);
        const back = parseNpy(bytes);
        expectSame(new Map([['t', back]]), new Map([['t', t]]));
        expect(saveNpy(back)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('npz: names and numpy dtypes', () => {
    fc.assert(
      fc.property(stateDict(NUMPY_DTYPES), (sd) => {
        const bytes = saveNpz(sd);
        const back = loadStateDictSync(bytes);
        expectSame(back, sd);
        expect(saveNpz(back)).toEqual(bytes);
      }),
      { numRuns: 150 },
    );
  });
});
