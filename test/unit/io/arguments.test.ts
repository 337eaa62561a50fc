/**
 * Every wrong argument to a public loader, writer or explain is an RnnportError: E_BAD_ARGUMENT
 * naming the API and saying what it expected and got; `metadata` is an
 * object without prototype, so keys such as `__proto__` are data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain } from '../../../src/explain/explain.js';
import { resolveLimits } from '../../../src/io/limits.js';
import { loadStateDict, loadStateDictSync, openWeights } from '../../../src/io/load.js';
import { parseNpy, saveNpy } from '../../../src/io/npy.js';
import { saveNpz } from '../../../src/io/npz.js';
import { parseSafetensors, saveSafetensors } from '../../../src/io/safetensors.js';
import { bytesSource } from '../../../src/io/source.js';
import { openStateDict, readNpyFile, writeNpyFile } from '../../../src/node.js';
import { tensor, type Tensor } from '../../../src/tensor.js';
import { safetensorsRaw } from '../../../scripts/make_malformed.js';
import { errorOf } from '../../support/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnport-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'w.safetensors');
writeFileSync(file, saveSafetensors({ a: tensor([1, 2], [2]) }));
const bytes = saveSafetensors({ a: tensor([1, 2], [2]) });
const t = tensor([1], [1]);

describe('E_BAD_ARGUMENT, naming the API', () => {
  it.each<[string, () => unknown, string]>([
    ['loadStateDictSync(null)', () => loadStateDictSync(null as never), 'loadStateDictSync(bytes)'],
    ['loadStateDictSync(bytes, 3)', () => loadStateDictSync(bytes, 3 as never), 'loadStateDictSync options'],
    ['openWeights(null)', () => openWeights(null as never), 'openWeights(source)'],
    ['openWeights(source, { whenAmbiguous: "x" })', () => openWeights(bytesSource(bytes), { whenAmbiguous: 'x' as never }), 'openWeights options.whenAmbiguous'],
    ['openStateDict(42)', () => openStateDict(42 as never), 'openStateDict(path)'],
    ['openStateDict(f, { key: 42 })', () => openStateDict(file, { key: 42 as never }), 'openStateDict options.key'],
    ['openStateDict(f, "model")', () => openStateDict(file, 'model' as never), 'openStateDict options'],
    ['openStateDict(f, { limits: 5 })', () => openStateDict(file, { limits: 5 as never }), 'options.limits'],
    ['openStateDict(f, { limits: { maxTensors: "3" } })', () => openStateDict(file, { limits: { maxTensors: '3' as never } }), 'options.limits.maxTensors'],
    ['index.load("a")', () => openStateDict(file).load('a' as never), 'WeightsIndex.load(names)'],
    ['index.load([1])', () => openStateDict(file).load([1] as never), 'WeightsIndex.load(names)'],
    ['parseSafetensors(null)', () => parseSafetensors(null as never), 'parseSafetensors(bytes)'],
    ['parseNpy("x")', () => parseNpy('x' as never), 'parseNpy(bytes)'],
    ['saveNpy(null)', () => saveNpy(null as never), 'saveNpy(tensor)'],
    ['saveNpz([t])', () => saveNpz([t] as never), 'saveNpz(tensors)'],
    ['saveSafetensors(null)', () => saveSafetensors(null as never), 'saveSafetensors(tensors)'],
    ['saveSafetensors({ a: 1 })', () => saveSafetensors({ a: 1 as unknown as Tensor }), 'saveSafetensors(tensors)["a"]'],
    ['saveSafetensors(t, metadata 3)', () => saveSafetensors({ a: t }, 3 as never), 'saveSafetensors(tensors, metadata)'],
    ['readNpyFile(1)', () => readNpyFile(1 as never), 'readNpyFile(path)'],
    ['writeNpyFile(1, t)', () => writeNpyFile(1 as never, t), 'writeNpyFile(path)'],
    ['resolveLimits(null)', () => resolveLimits(null as never), 'options.limits'],
    ['explain(null)', () => explain(null as never), 'explain(config)'],
    ['explain({ mode: "gru" })', () => explain({ mode: 'gru' as never, hiddenSize: 2 }), 'explain config.mode'],
    ['explain({ hiddenSize: "4" })', () => explain({ mode: 'GRU', hiddenSize: '4' as never }), 'explain config.hiddenSize'],
    ['explain({ lengths: 3 })', () => explain({ mode: 'GRU', hiddenSize: 2, lengths: 3 as never }), 'explain config.lengths'],
    ['explain({ bidirectional: 1 })', () => explain({ mode: 'GRU', hiddenSize: 2, bidirectional: 1 as never }), 'explain config.bidirectional'],
  ])('%s', (_, fn, what) => {
    const e = errorOf(fn);
    expect({ code: e.code, what: e.detail.what }).toEqual({ code: 'E_BAD_ARGUMENT', what });
    expect(e.detail.expected.length).toBeGreaterThan(0);
  });

  it('loadStateDict(null) rejects with E_BAD_ARGUMENT, naming what it got', async () => {
    await expect(loadStateDict(null as never)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', detail: { what: 'loadStateDict(source)', got: 'null' } });
    await expect(loadStateDict(bytes, { key: 3 as never })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
  });
});

describe('explain bounds its work', () => {
  it.each([
    [{ mode: 'GRU', hiddenSize: 1e6 }, 'explain weights and activations'],
    [{ mode: 'LSTM', hiddenSize: 100_000, numLayers: 1000 }, 'explain weights and activations'],
    [{ mode: 'RNN', hiddenSize: 1, numLayers: 1e9 }, 'explain weights and activations'],
    [{ mode: 'RNN', hiddenSize: 64, seqLen: 1e6, batch: 1000 }, 'explain weights and activations'],
    [{ mode: 'RNN', hiddenSize: 1, numLayers: 40_000, bidirectional: true }, 'explain facts (h_n rows × sequences)'],
  ] as const)('%j → E_LIMIT with the figure', (config, what) => {
    const e = errorOf(() => explain(config));
    expect({ code: e.code, what: e.detail.what }).toEqual({ code: 'E_LIMIT', what });
    expect(Number(e.detail.got)).toBeGreaterThan(0);
  });
});

describe('metadata', () => {
  it('is an object without prototype: __proto__, toString and hasOwnProperty are data', () => {
    const st = safetensorsRaw('{"__metadata__":{"__proto__":"p","toString":"t","hasOwnProperty":"h"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4));
    const { metadata } = openWeights(bytesSource(st));
    expect(Object.getPrototypeOf(metadata)).toBeNull();
    expect(Object.keys(metadata)).toEqual(['__proto__', 'toString', 'hasOwnProperty']);
    expect(metadata['__proto__']).toBe('p');
    expect(metadata['toString']).toBe('t');
    expect(Object.isFrozen(metadata)).toBe(true);
    expect(JSON.parse(JSON.stringify(metadata))).toEqual(JSON.parse('{"__proto__":"p","toString":"t","hasOwnProperty":"h"}'));
  });

  it('is an empty object without prototype for the other formats', () => {
    const m = openWeights(bytesSource(saveNpy(t))).metadata;
    expect(Object.getPrototypeOf(m)).toBeNull();
    expect(Object.keys(m)).toEqual([]);
  });
});
