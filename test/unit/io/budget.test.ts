/**
 * The byte limits scale with the source, the inflate budget is one per open and one per load
 * (never per member), materialised bytes are what maxTotalBytes counts, and the pickle's costs
 * (dict keys, stand-ins' copies, the state_dict search, `--key`) are linear in its size.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, MIN_SCALED_BYTES, resolveLimits } from '../../../src/io/limits.js';
import { openWeights } from '../../../src/io/load.js';
import { saveNpy } from '../../../src/io/npy.js';
import { chooseStateDict } from '../../../src/io/pickle/state-dicts.js';
import { KeyIds, PyDict, PyTuple, StorageRef, TensorRef, type PickleValue } from '../../../src/io/pickle/values.js';
import { unpickle, WORK_PER_BYTE } from '../../../src/io/pickle/vm.js';
import { resolveGlobal } from '../../../src/io/pickle/allowlist.js';
import { bytesSource } from '../../../src/io/source.js';
import { tensor } from '../../../src/tensor.js';
import { buildZip } from '../../../scripts/make_malformed.js';
import { errorOf } from '../../support/errors.js';

const MiB = 2 ** 20;

describe('limits scale with the source', () => {
  it('defaults to max(256 MiB, 8 × the source size) for materialised and inflated bytes', () => {
    expect(resolveLimits(undefined, 0)).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits(undefined, 1000).maxTotalBytes).toBe(MIN_SCALED_BYTES);
    expect(resolveLimits(undefined, 100 * MiB)).toMatchObject({ maxTotalBytes: 800 * MiB, maxInflatedBytes: 800 * MiB });
    expect(resolveLimits({ maxTotalBytes: 5 }, 100 * MiB)).toMatchObject({ maxTotalBytes: 5, maxInflatedBytes: 800 * MiB });
  });
});

describe('the inflate budget', () => {
  const zeros = saveNpy(tensor(new Float32Array(MiB / 4), [MiB / 4]));
  const npz = buildZip(['a', 'b', 'c'].map((n) => ({ name: `${n}.npy`, data: zeros, method: 8 })));
  const limits = { maxInflatedBytes: 2.5 * MiB };

  it('counts every member of one load together', () => {
    const index = openWeights(bytesSource(npz), { limits });
    const e = errorOf(() => index.load());
    expect({ code: e.code, what: e.detail.what }).toMatchObject({ code: 'E_LIMIT' });
    expect(e.detail.expected).toContain('limits.maxInflatedBytes');
  });

  it('starts afresh for each load', () => {
    const index = openWeights(bytesSource(npz), { limits });
    for (let i = 0; i < 5; i++) expect([...index.load(['a', 'b']).keys()]).toEqual(['a', 'b']);
  });
});

describe('pickle costs are linear in the pickle', () => {
  it('keys equal in Python share one identity: 1 == 1.0 == True, equal tuples, equal bytes', () => {
    const keys = new KeyIds();
    const d = new PyDict(false);
    d.set(1, 'a', 't', keys);
    d.set(1.0, 'b', 't', keys);
    d.set(true, 'c', 't', keys);
    d.set(new PyTuple([1, 'x', new PyTuple([null])]), 'd', 't', keys);
    d.set(new PyTuple([true, 'x', new PyTuple([null])]), 'e', 't', keys);
    d.set(new Uint8Array([1, 2]), 'f', 't', keys);
    d.set(new Uint8Array([1, 2]), 'g', 't', keys);
    d.set('1', 'h', 't', keys);
    expect([...d.entries()].map(([, v]) => v)).toEqual(['c', 'e', 'g', 'h']);
    expect(errorOf(() => d.set([] as PickleValue, 'x', 't', keys)).code).toBe('E_PICKLE_OPCODE');
    // A key tuple of a million distinct tuples: no spread of a million arguments.
    d.set(new PyTuple(Array.from({ length: 1_000_000 }, (_, i) => new PyTuple([i]))), 'i', 't', keys);
    expect(d.size).toBe(5);
  });

  it("charges the allow-list's copies to a budget of WORK_PER_BYTE per pickle byte", () => {
    // _codecs.encode of one memoised str, 200 times: 200 × 64 KiB copied from a 64 KiB pickle.
    const s = 'c'.repeat(64 * 1024);
    const body = [0x80, 2, 0x58, ...le32(s.length), ...new TextEncoder().encode(s), 0x71, 0, 0x30, ...Array.from('c_codecs\nencode\n', (c) => c.charCodeAt(0)), 0x71, 1, 0x30, 0x5d];
    for (let i = 0; i < 200; i++) body.push(0x68, 1, 0x28, 0x68, 0, 0x58, ...le32(6), ...Array.from('latin1', (c) => c.charCodeAt(0)), 0x74, 0x52, 0x61);
    body.push(0x2e);
    const e = errorOf(() => unpickle(Uint8Array.from(body), 0, { resolveGlobal, persistentLoad: () => null, maxOps: 1e9, name: 'p' }));
    expect({ code: e.code, what: e.detail.what }).toEqual({ code: 'E_LIMIT', what: 'pickle work (items copied, characters scanned)' });
    expect(WORK_PER_BYTE).toBe(4);
  });

  const T = new TensorRef(new StorageRef('0', 'float32', 4), 'float32', 0, [1], [1]);
  it('resolves --key through a self-referencing dict in (dicts × dots) steps', () => {
    const d = new PyDict(false);
    for (let i = 1; i <= 60; i++) d.set(Array(i).fill('a').join('.'), d, 't');
    d.set('weight_ih_l0', T, 't');
    const root = new PyDict(false);
    root.set('x', d, 't');
    const start = performance.now();
    expect(errorOf(() => chooseStateDict(root, `x.${Array(60).fill('a').join('.')}.y`, 't')).code).toBe('E_KEY_NOT_FOUND');
    expect(chooseStateDict(root, `x.${Array(60).fill('a').join('.')}`, 't').tensors.size).toBe(1);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('charges key paths and tensor names to maxChars, and does not follow keys over 1024 characters', () => {
    const long = 'k'.repeat(2000);
    const root = new PyDict(false);
    const sd = new PyDict(false);
    sd.set('weight_ih_l0', T, 't');
    const under = new PyDict(false);
    under.set(long, sd, 't');
    root.set('a', under, 't');
    expect(errorOf(() => chooseStateDict(root, undefined, 't')).code).toBe('E_NO_MODULE');
    const names = new PyDict(false);
    for (let i = 0; i < 100; i++) {
      const inner = new PyDict(false);
      inner.set(long, T, 't');
      names.set(`m${i}`, inner, 't');
    }
    expect(chooseStateDict(names, undefined, 't', { whenAmbiguous: 'open' }).stateDicts).toHaveLength(100);
    const e = errorOf(() => chooseStateDict(names, undefined, 't', { whenAmbiguous: 'open', maxChars: 50_000 }));
    expect(e.code).toBe('E_LIMIT');
  });

  it('lists at most 20 paths, each clipped, in an E_AMBIGUOUS_MODULE message', () => {
    const root = new PyDict(false);
    for (let i = 0; i < 100; i++) {
      const inner = new PyDict(false);
      inner.set('weight_ih_l0', T, 't');
      root.set(`${'p'.repeat(500)}${i}`, inner, 't');
    }
    const e = errorOf(() => chooseStateDict(root, undefined, 't'));
    expect(e.code).toBe('E_AMBIGUOUS_MODULE');
    expect(e.detail.got).toContain('(100 in all)');
    expect(e.message.length).toBeLessThan(6000);
  });
});

function le32(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}
