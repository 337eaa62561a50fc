import { deflateSync, unzipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/io/limits.js';
import { bytesSource } from '../../../src/io/source.js';
import { crc32 } from '../../../src/io/bytes.js';
import { openZip, type ZipArchive } from '../../../src/io/zip.js';
import { writeStoredZip } from '../../../src/io/zip-writer.js';
import { buildZip, bytes, type ZipMemberSpec } from '../../../scripts/make_malformed.js';
import { codeOf } from './helpers.js';

const pushes = vi.hoisted(() => ({ count: 0 }));
vi.mock('fflate', async (importOriginal) => {
  const fflate = await importOriginal<typeof import('fflate')>();
  class CountingInflate extends fflate.Inflate {
    override push(chunk: Uint8Array, final?: boolean): void {
      pushes.count++;
      super.push(chunk, final);
    }
  }
  return { ...fflate, Inflate: CountingInflate };
});

const open = (b: Uint8Array): ZipArchive => openZip(bytesSource(b), DEFAULT_LIMITS);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const readAll = (zip: ZipArchive): Record<string, string> => Object.fromEntries(zip.entries.map((e) => [e.name, new TextDecoder().decode(zip.read(e))]));
const A: ZipMemberSpec = { name: 'a.txt', data: text('hello hello hello hello') };
const B: ZipMemberSpec = { name: 'dir/b.txt', data: text('second member') };

describe('openZip', () => {
  it('reads stored and deflated members with their entries', () => {
    const zip = open(buildZip([A, { ...B, method: 8 }]));
    expect(zip.entries.map((e) => [e.name, e.method, e.uncompressedSize])).toEqual([['a.txt', 0, 23], ['dir/b.txt', 8, 13]]);
    expect(readAll(zip)).toEqual({ 'a.txt': 'hello hello hello hello', 'dir/b.txt': 'second member' });
    expect(zip.get('dir/b.txt')?.crc32).toBe(crc32(text('second member')));
    expect(zip.get('missing')).toBeUndefined();
  });

  it('returns stored members as views of in-memory bytes', () => {
    const archive = buildZip([A]);
    const zip = open(archive);
    const data = zip.read(zip.entries[0]!);
    expect(data.buffer).toBe(archive.buffer);
    expect(data.byteOffset).toBe(zip.entries[0]!.dataOffset);
  });

  it('reads ZIP64 extra fields and the ZIP64 end record', () => {
    const zip = open(buildZip([{ ...A, zip64: true }, { ...B, zip64: true, method: 8 }], { zip64End: true }));
    expect(readAll(zip)).toEqual({ 'a.txt': 'hello hello hello hello', 'dir/b.txt': 'second member' });
  });

  it('reads data descriptors with and without signature, also ZIP64 ones', () => {
    for (const descriptor of ['signature', 'bare'] as const) {
      for (const zip64 of [false, true]) {
        const zip = open(buildZip([{ ...A, descriptor, zip64, method: 8 }, { ...B, descriptor, zip64 }]));
        expect(readAll(zip)).toEqual({ 'a.txt': 'hello hello hello hello', 'dir/b.txt': 'second member' });
      }
    }
  });

  it('finds the end record behind an archive comment', () => {
    expect(readAll(open(buildZip([A], { comment: 'PK\u0005\u0006 fake end record in a comment' })))).toEqual({ 'a.txt': 'hello hello hello hello' });
  });

  it('opens an empty archive', () => {
    expect(open(buildZip([])).entries).toEqual([]);
  });

  it('stops inflating at the declared size: a lying member never expands', () => {
    const bomb = new Uint8Array(48 << 20);
    const payload = deflateSync(bomb);
    expect(payload.length).toBeGreaterThan(2 * 16 * 1024);
    const zip = open(buildZip([{ name: 'bomb', data: bomb, payload, method: 8, uncompressedSize: 1000, crc: 0 }]));
    pushes.count = 0;
    expect(codeOf(() => zip.read(zip.entries[0]!))).toBe('E_ZIP_ENTRY');
    expect(pushes.count).toBe(1);
  });

  it('inflates only what readPrefix asks for', () => {
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    const zip = open(buildZip([{ name: 'x', data, method: 8 }]));
    pushes.count = 0;
    expect(zip.readPrefix(zip.entries[0]!, 12)).toEqual(data.subarray(0, 12));
    expect(pushes.count).toBe(1);
    expect(zip.readPrefix(zip.entries[0]!, 1e9).length).toBe(200_000);
  });

  it('checks the CRC of a member only when it is read', () => {
    const zip = open(buildZip([{ ...A, crc: 1 }, B]));
    expect(readAll({ ...zip, entries: [zip.entries[1]!] })).toEqual({ 'dir/b.txt': 'second member' });
    expect(codeOf(() => zip.read(zip.entries[0]!))).toBe('E_CRC');
  });

  it('rejects archives too short for an end record', () => {
    expect(codeOf(() => open(bytes('PK\u0003\u0004')))).toBe('E_TRUNCATED');
  });
});

describe('writeStoredZip', () => {
  it('writes archives fflate and openZip read back, byte-reproducibly', () => {
    const members = [{ name: 'a.npy', data: text('abc') }, { name: 'é/b.npy', data: new Uint8Array(0) }];
    const archive = writeStoredZip(members);
    expect(writeStoredZip(members)).toEqual(archive);
    expect(unzipSync(archive)).toEqual({ 'a.npy': text('abc'), 'é/b.npy': new Uint8Array(0) });
    expect(readAll(open(archive))).toEqual({ 'a.npy': 'abc', 'é/b.npy': '' });
  });
});
