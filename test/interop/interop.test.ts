// Files written by numpy 1.24 and by the official safetensors writer (scripts/gen_interop.py),
// read back to the values the writers recorded; npyjs as a second reader of the simple files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as npyjsParse } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { loadStateDictSync, openWeights } from '../../src/io/load.js';
import { parseNpy, saveNpy } from '../../src/io/npy.js';
import { bytesSource } from '../../src/io/source.js';
import { openStateDict } from '../../src/node.js';
import type { Tensor } from '../../src/tensor.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'interop');

interface Expected {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

const numpyDoc = JSON.parse(readFileSync(join(DIR, 'numpy.json'), 'utf8')) as { files: Record<string, Record<string, Expected>> };
const stDoc = JSON.parse(readFileSync(join(DIR, 'safetensors.json'), 'utf8')) as {
  files: Record<string, { metadata: Record<string, string>; tensors: Record<string, Expected> }>;
};

function decode(v: number | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Number(v);
}

function expectTensor(t: Tensor | undefined, e: Expected): void {
  expect(t).toBeDefined();
  const tensor = t as Tensor;
  expect(tensor.dtype).toBe(e.dtype);
  expect(tensor.shape).toEqual(e.shape);
  if (tensor.dtype === 'int64' || tensor.dtype === 'uint64') {
    expect(Array.from(tensor.data as BigInt64Array, String)).toEqual(e.values.map(String));
  } else {
    const got = Array.from(tensor.toFloat64());
    got.forEach((g, i) => expect(Object.is(g, decode(e.values[i] as number | string)) || g === decode(e.values[i] as number | string), `${i}: ${g}`).toBe(true));
    expect(got.length).toBe(e.values.length);
  }
}

const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, file)));

describe('files written by numpy', () => {
  for (const [file, tensors] of Object.entries(numpyDoc.files)) {
    it(`reads ${file} to numpy's values`, () => {
      const sd = loadStateDictSync(read(file));
      expect([...sd.keys()]).toEqual(Object.keys(tensors));
      for (const [name, e] of Object.entries(tensors)) expectTensor(sd.get(name), e);
    });
    it(`reads ${file} lazily from its path`, () => {
      const index = openStateDict(join(DIR, file));
      expect(index.format).toBe(file.endsWith('.npz') ? 'npz' : 'npy');
      const [first] = Object.keys(tensors);
      const name = file.endsWith('.npz') ? (first as string) : file.slice(0, -4);
      const sd = index.load([name]);
      expectTensor(sd.get(name), tensors[first as string] as Expected);
    });
  }

  it('writes npy byte-identical to np.save for C-order little-endian arrays', () => {
    for (const file of ['le_f4.npy', 'le_f8_1d.npy', 'le_i8.npy', 'scalar_f8.npy', 'empty_f4.npy', 'bool.npy', 'u1.npy', 'i1.npy', 'u2.npy', 'u4.npy', 'u8.npy', 'f2_special.npy']) {
      const bytes = read(file);
      expect(saveNpy(parseNpy(bytes)), file).toEqual(bytes);
    }
  });

  it('names a lone npy after its file, or arr_0 for bare bytes', () => {
    expect([...openWeights(bytesSource(read('le_f4.npy'), 'x/weight_ih_l0.npy')).tensors.keys()]).toEqual(['weight_ih_l0']);
    expect([...openWeights(bytesSource(read('le_f4.npy'))).tensors.keys()]).toEqual(['arr_0']);
  });
});

describe('npyjs decodes the simple little-endian files to the same values', () => {
  for (const file of ['le_f4.npy', 'le_f8_1d.npy', 'le_i8.npy', 'u1.npy', 'i1.npy', 'u2.npy', 'u4.npy', 'scalar_f8.npy']) {
    it(file, () => {
      const bytes = read(file);
      const theirs = npyjsParse(bytes.slice().buffer);
      const ours = parseNpy(bytes);
      expect(theirs.shape).toEqual([...ours.shape]);
      expect(Array.from(theirs.data as unknown as ArrayLike<number | bigint>)).toEqual(Array.from(ours.data as unknown as ArrayLike<number | bigint>));
    });
  }
});

describe('a file written by the official safetensors writer', () => {
  for (const [file, { metadata, tensors }] of Object.entries(stDoc.files)) {
    it(`reads ${file} to torch's values, with its metadata`, () => {
      const index = openWeights(bytesSource(read(file)));
      expect(index.format).toBe('safetensors');
      expect(index.metadata).toEqual(metadata);
      const sd = index.load();
      expect(new Set(sd.keys())).toEqual(new Set(Object.keys(tensors)));
      for (const [name, e] of Object.entries(tensors)) expectTensor(sd.get(name), e);
    });
  }
});
