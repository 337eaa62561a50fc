import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../support/errors.js';
import { littleEndianBytes } from '../../../src/io/bytes.js';
import { openWeights, type WeightsIndex } from '../../../src/io/load.js';
import { bytesSource } from '../../../src/io/source.js';
import { itemSize } from '../../../src/dtype.js';

/** Fixtures written by scripts/gen_pt_fixtures.py with torch 1.13 (_t113) and 2.13 (_t213). */
const DIR = new URL('../../fixtures/pt/', import.meta.url);

interface Expected {
  tensors?: Record<string, { dtype: string; shape: number[]; hex: string }>;
  key?: string;
  stateDictKeys?: string[];
  error?: string;
  /** The state_dict paths an E_AMBIGUOUS_MODULE lists. */
  listed?: string[];
  withKey?: Record<string, Expected>;
}

function open(file: string, key?: string): WeightsIndex {
  return openWeights(bytesSource(readFileSync(new URL(file, DIR)), file), key === undefined ? {} : { key });
}


function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function expectTensors(index: WeightsIndex, expected: Expected): void {
  const sd = index.load();
  const want = expected.tensors ?? {};
  expect([...sd.keys()]).toEqual(Object.keys(want));
  for (const [name, t] of sd) {
    const w = want[name] as { dtype: string; shape: number[]; hex: string };
    expect({ name, dtype: t.dtype, shape: [...t.shape] }).toEqual({ name, dtype: w.dtype, shape: w.shape });
    expect(index.tensors.get(name)).toEqual({ dtype: w.dtype, shape: w.shape, byteLength: t.numel * itemSize(t.dtype) });
    expect(hex(littleEndianBytes(t.data, itemSize(t.dtype))), name).toBe(w.hex);
  }
}

const cases = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('torch.save files written by PyTorch', () => {
  it('has fixtures from both torch versions', () => {
    expect(cases.some((f) => f.endsWith('_t113.json'))).toBe(true);
    expect(cases.some((f) => f.endsWith('_t213.json'))).toBe(true);
  });

  for (const json of cases) {
    const file = json.replace(/\.json$/, '.pt');
    const expected = JSON.parse(readFileSync(new URL(json, DIR), 'utf8')) as Expected;
    if (expected.error !== undefined) {
      it(`rejects ${file} with ${expected.error}`, () => {
        const e = errorOf(() => open(file).load());
        expect(e.code).toBe(expected.error);
        if (expected.listed !== undefined) expect(e.detail.got).toBe(expected.listed.join(', '));
      });
      for (const [key, sub] of Object.entries(expected.withKey ?? {})) {
        it(`reads ${file} with key ${JSON.stringify(key)}`, () => {
          const index = open(file, key);
          expect(index.key).toBe(key);
          expect(index.stateDictKeys).toEqual(expected.stateDictKeys);
          expectTensors(index, sub);
        });
      }
    } else {
      it(`reads ${file} byte for byte`, () => {
        const index = open(file);
        expect(index.format).toBe('pt');
        expect(index.key).toBe(expected.key);
        expect(index.stateDictKeys).toEqual(expected.stateDictKeys);
        expectTensors(index, expected);
      });
    }
  }
});

describe('checkpoint keys', () => {
  it('names the pickled class of a whole module and how to re-save', () => {
    const e = errorOf(() => open('whole_module_t213.pt'));
    expect(e.detail.got).toBe('__main__.Net');
    expect(e.detail.expected).toContain('state_dict()');
  });

  it('rejects a key on a plain state_dict', () => {
    expect(errorOf(() => open('state_dict_t213.pt', 'model')).code).toBe('E_BAD_OPTION');
  });

  it('rejects a key that does not exist, or holds no tensors', () => {
    expect(errorOf(() => open('checkpoint_t213.pt', 'modle')).code).toBe('E_KEY_NOT_FOUND');
    expect(errorOf(() => open('checkpoint_t213.pt', 'config')).code).toBe('E_KEY_NOT_FOUND');
    expect(errorOf(() => open('checkpoint_t213.pt', 'epoch')).code).toBe('E_KEY_NOT_FOUND');
  });

  it('never takes optimizer state for a state_dict', () => {
    expect(errorOf(() => open('checkpoint_t213.pt', 'optimizer')).code).toBe('E_KEY_NOT_FOUND');
    expect(open('checkpoint_t113.pt').stateDictKeys).toEqual(['model']);
  });

  it('follows a dot path through nested dicts', () => {
    const index = open('two_models_t113.pt', 'encoder.rnn');
    expect([...index.tensors.keys()][0]).toBe('weight_ih_l0');
    expect(open('two_models_t113.pt', 'decoder').tensors.size).toBe(4);
  });
});

describe('lazy reads', () => {
  it('reads only the storages of the tensors asked for', () => {
    const bytes = readFileSync(new URL('state_dict_t213.pt', DIR));
    const reads: [number, number][] = [];
    const inner = bytesSource(bytes, 'state_dict_t213.pt');
    const index = openWeights({ size: inner.size, name: inner.name, read: (o, n) => (reads.push([o, n]), inner.read(o, n)) });
    reads.length = 0;
    const sd = index.load(['weight_hh_l1']);
    expect([...sd.keys()]).toEqual(['weight_hh_l1']);
    const total = reads.reduce((a, [, n]) => a + n, 0);
    expect(total).toBe(16 * 4 * 4); // weight_hh_l1: (4·4, 4) float32
  });
});
