import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/io/limits.js';
import { loadStateDict, loadStateDictSync, openWeights } from '../../../src/io/load.js';
import { saveNpy } from '../../../src/io/npy.js';
import { saveNpz } from '../../../src/io/npz.js';
import { saveSafetensors } from '../../../src/io/safetensors.js';
import { bytesSource } from '../../../src/io/source.js';
import { openStateDict } from '../../../src/node.js';
import { tensor, type StateDict, type Tensor } from '../../../src/tensor.js';
import { buildZip } from '../../../scripts/make_malformed.js';
import { codeOf, countingSource } from './helpers.js';

const sd = (): StateDict => new Map([['rnn.weight_ih_l0', tensor([1, 2, 3, 4, 5, 6], [3, 2])], ['rnn.bias_ih_l0', tensor(new Float64Array([0.5, -1, 2]), [3])]]);
const values = (m: StateDict): Record<string, unknown> => Object.fromEntries([...m].map(([k, t]) => [k, [t.dtype, t.shape, t.toArray()]]));

describe('openWeights', () => {
  it('sniffs the format from the bytes, whatever the name says', () => {
    expect(openWeights(bytesSource(saveSafetensors(sd()), 'w.npz')).format).toBe('safetensors');
    expect(openWeights(bytesSource(saveNpz(sd()), 'w.safetensors')).format).toBe('npz');
    expect(openWeights(bytesSource(saveNpy(tensor([1], [1])), 'w.pt')).format).toBe('npy');
  });

  it('loads the same state_dict from safetensors and npz', () => {
    expect(values(loadStateDictSync(saveSafetensors(sd())))).toEqual(values(sd()));
    expect(values(loadStateDictSync(saveNpz(sd())))).toEqual(values(sd()));
  });

  it('reads npz members deflated by another writer', () => {
    const npy = saveNpy(tensor([1, 2], [2]));
    expect(values(loadStateDictSync(buildZip([{ name: 'w.npy', data: npy, method: 8 }])))).toEqual(values(new Map([['w', tensor([1, 2], [2])]])));
  });

  it('rejects unknown bytes, empty input and sources too short to sniff', () => {
    expect(codeOf(() => loadStateDictSync(new TextEncoder().encode('<html>not weights</html>')))).toBe('E_BAD_MAGIC');
    expect(codeOf(() => loadStateDictSync(new Uint8Array(0)))).toBe('E_TRUNCATED');
    expect(codeOf(() => loadStateDictSync(new Uint8Array([1, 2, 3])))).toBe('E_BAD_MAGIC');
  });

  it('reads headers only until load(), then only the tensors asked for', () => {
    const big = tensor(new Float32Array(20_000), [20_000]);
    for (const bytes of [saveSafetensors({ small: tensor([1], [1]), big }), saveNpz({ small: tensor([1], [1]), big })]) {
      const source = countingSource(bytes);
      const index = openWeights(source);
      expect(index.tensors.get('big')).toEqual({ dtype: 'float32', shape: [20_000], byteLength: 80_000 });
      expect(source.bytesRead()).toBeLessThan(2_000);
      expect([...index.load(['small']).keys()]).toEqual(['small']);
      expect(source.bytesRead()).toBeLessThan(2_000);
    }
  });

  it('loads in file order, whatever order names are given in', () => {
    const index = openWeights(bytesSource(saveSafetensors(sd())));
    expect([...index.load(['rnn.bias_ih_l0', 'rnn.weight_ih_l0']).keys()]).toEqual(['rnn.weight_ih_l0', 'rnn.bias_ih_l0']);
  });

  it('rejects unknown names (E_KEY_NOT_FOUND) and more bytes than maxTotalBytes (E_LIMIT)', () => {
    const index = openWeights(bytesSource(saveSafetensors(sd())));
    expect(codeOf(() => index.load(['nope']))).toBe('E_KEY_NOT_FOUND');
    const limited = openWeights(bytesSource(saveSafetensors(sd())), { limits: { maxTotalBytes: 30 } });
    expect(limited.load(['rnn.bias_ih_l0']).size).toBe(1);
    expect(codeOf(() => limited.load())).toBe('E_LIMIT');
  });

  it('applies maxTensors to every format', () => {
    for (const bytes of [saveSafetensors(sd()), saveNpz(sd())]) expect(codeOf(() => openWeights(bytesSource(bytes), { limits: { maxTensors: 1 } }))).toBe('E_LIMIT');
  });

  it('refuses a key on formats without nesting', () => {
    for (const bytes of [saveSafetensors(sd()), saveNpz(sd()), saveNpy(tensor([1], [1]))]) {
      expect(codeOf(() => openWeights(bytesSource(bytes), { key: 'model' }))).toBe('E_BAD_OPTION');
    }
  });
});

describe('resolveLimits', () => {
  it('merges overrides into the defaults', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxTensors: 3 })).toEqual({ ...DEFAULT_LIMITS, maxTensors: 3 });
  });

  it('rejects unknown limits and values that are not non-negative safe integers', () => {
    for (const bad of [{ maxTensors: -1 }, { maxTensors: 1.5 }, { maxTensors: NaN }, { maxTensor: 3 }]) {
      expect(codeOf(() => resolveLimits(bad as never)), JSON.stringify(bad)).toBe('E_BAD_OPTION');
    }
    for (const bad of [{ maxTensors: '3' }, null, 3]) {
      expect(codeOf(() => resolveLimits(bad as never)), JSON.stringify(bad)).toBe('E_BAD_ARGUMENT');
    }
  });
});

describe('loadStateDict', () => {
  it('takes a Uint8Array, an ArrayBuffer, a Blob, a File and a Response', async () => {
    const bytes = saveSafetensors(sd());
    for (const input of [bytes, bytes.slice().buffer, new Blob([bytes]), new Response(bytes)]) {
      expect(values(await loadStateDict(input))).toEqual(values(sd()));
    }
    const file = new File([saveNpy(tensor([7], [1]))], 'weight_hh_l0.npy');
    expect([...(await loadStateDict(file)).keys()]).toEqual(['weight_hh_l0']);
  });

  it('reports a failed fetch as E_IO, not as a bad format', async () => {
    await expect(loadStateDict(new Response('not found', { status: 404 }))).rejects.toMatchObject({ code: 'E_IO' });
    await expect(loadStateDict({} as Blob)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
  });
});

describe('golden weights', () => {
  const root = join(import.meta.dirname, '..', '..', '..', 'golden');
  // the first 12 cases that ship all three (a bfloat16 case has no npz: numpy has no bfloat16)
  const cases = readdirSync(root).filter((c) => !c.includes('.') && existsSync(join(root, c, 'weights.npz'))).slice(0, 12);
  it.each(cases)('%s: safetensors, npz and the npy directory hold the same tensors', (name) => {
    const [st, npz, dir] = ['weights.safetensors', 'weights.npz', 'weights_npy'].map((f) => openStateDict(join(root, name, f)).load());
    const expected = values(st as StateDict);
    expect(values(npz as StateDict)).toEqual(expected);
    const sorted = (m: StateDict): [string, Tensor][] => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
    expect(values(new Map(sorted(dir as StateDict)))).toEqual(values(new Map(sorted(st as StateDict))));
  });
});
