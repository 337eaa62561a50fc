import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveNpy } from '../../../src/io/npy.js';
import { saveSafetensors } from '../../../src/io/safetensors.js';
import { fileSource, openStateDict, readNpyFile, writeNpyFile } from '../../../src/node.js';
import { tensor } from '../../../src/tensor.js';
import { safetensorsRaw } from '../../../scripts/make_malformed.js';
import { codeOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnport-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rnnport/node', () => {
  it('fileSource reads ranges on demand and reopens after close()', () => {
    const path = join(dir, 'bytes.bin');
    writeFileSync(path, Uint8Array.from({ length: 100 }, (_, i) => i));
    const source = fileSource(path);
    expect(source.size).toBe(100);
    expect(Array.from(source.read(10, 3))).toEqual([10, 11, 12]);
    source.close();
    source.close();
    expect(Array.from(source.read(97, 3))).toEqual([97, 98, 99]);
    expect(codeOf(() => source.read(98, 3))).toBe('E_TRUNCATED');
    source.close();
  });

  it('reports a file that shrank after opening as E_TRUNCATED', () => {
    const path = join(dir, 'shrinks.bin');
    writeFileSync(path, new Uint8Array(50));
    const source = fileSource(path);
    truncateSync(path, 10);
    expect(codeOf(() => source.read(0, 50))).toBe('E_TRUNCATED');
    source.close();
  });

  it('reports missing files as E_IO', () => {
    const missing = join(dir, 'missing.safetensors');
    expect(codeOf(() => fileSource(missing))).toBe('E_IO');
    expect(codeOf(() => openStateDict(missing))).toBe('E_IO');
    expect(codeOf(() => readNpyFile(missing))).toBe('E_IO');
    expect(codeOf(() => writeNpyFile(join(dir, 'no', 'such', 'dir.npy'), tensor([1], [1])))).toBe('E_IO');
  });

  it('opens a file lazily, sniffing its format', () => {
    const path = join(dir, 'weights.bin');
    writeFileSync(path, saveSafetensors({ a: tensor([1, 2], [2]), b: tensor([3], [1]) }));
    const index = openStateDict(path);
    expect(index.format).toBe('safetensors');
    expect(index.name).toBe(path);
    expect([...index.load(['b']).keys()]).toEqual(['b']);
    expect((index.load().get('a')?.toArray())).toEqual([1, 2]);
  });

  it('loads one small tensor from a 4 GiB checkpoint reading only its bytes', () => {
    const path = join(dir, 'huge.safetensors');
    const big = 2 ** 32;
    writeFileSync(path, safetensorsRaw(`{"small":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"big":{"dtype":"U8","shape":[${big}],"data_offsets":[8,${8 + big}]}}`, new Uint8Array(new Float32Array([1.5, 2]).buffer)));
    truncateSync(path, statSync(path).size + big);
    const before = process.memoryUsage().rss;
    const index = openStateDict(path);
    expect(index.tensors.get('big')?.byteLength).toBe(big);
    expect(index.load(['small']).get('small')?.toArray()).toEqual([1.5, 2]);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
    rmSync(path);
  });

  it('opens a directory of <name>.npy files as npy-dir, in file-name order', () => {
    const npyDir = join(dir, 'weights_npy');
    mkdirSync(npyDir);
    writeNpyFile(join(npyDir, 'rnn.weight_ih_l0.npy'), tensor([1, 2, 3, 4], [2, 2]));
    writeNpyFile(join(npyDir, 'rnn.bias_ih_l0.npy'), tensor([5, 6], [2]));
    writeFileSync(join(npyDir, 'README.txt'), 'ignored');
    const index = openStateDict(npyDir);
    expect(index.format).toBe('npy-dir');
    expect([...index.tensors.keys()]).toEqual(['rnn.bias_ih_l0', 'rnn.weight_ih_l0']);
    expect(index.load().get('rnn.weight_ih_l0')?.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(codeOf(() => openStateDict(npyDir, { key: 'model' }))).toBe('E_BAD_OPTION');
  });

  it('rejects a directory without .npy files (E_IO) and a malformed member with its own code', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(codeOf(() => openStateDict(empty))).toBe('E_IO');
    const bad = join(dir, 'bad_npy');
    mkdirSync(bad);
    writeFileSync(join(bad, 'w.npy'), saveNpy(tensor([1, 2], [2])).subarray(0, 70));
    expect(codeOf(() => openStateDict(bad))).toBe('E_TRUNCATED');
  });

  it('writes npy files readNpyFile reads back', () => {
    const path = join(dir, 'h_0.npy');
    writeNpyFile(path, tensor(new Float64Array([1.5, -2]), [1, 2]));
    const t = readNpyFile(path);
    expect([t.dtype, t.shape, t.toArray()]).toEqual(['float64', [1, 2], [[1.5, -2]]]);
  });
});
