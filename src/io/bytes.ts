/**
 * Bounded reading of untrusted bytes: every read is checked against the bytes present and every
 * size is checked arithmetic, so parsers raise E_TRUNCATED / E_SIZE_OVERFLOW with a location and
 * never a RangeError from a DataView.
 */
import { DTYPES, type DType, type TensorData } from '../dtype.js';
import { fail } from '../errors.js';
import type { ByteSource } from './source.js';

/** True on the (rare) big-endian host: every on-disk format here is little-endian by default. */
const HOST_BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

/** `${name} byte ${offset}`: the `at` of an error. */
export function at(name: string, offset: number): string {
  return `${name} byte ${offset}`;
}

/** Reads `length` bytes at `offset` of `source`, or E_TRUNCATED naming `what`. */
export function readRange(source: ByteSource, offset: number, length: number, what: string): Uint8Array {
  if (offset < 0 || length < 0 || offset + length > source.size) {
    throw fail('E_TRUNCATED', {
      what,
      expected: `${length} bytes at offset ${offset}`,
      got: `${Math.max(0, source.size - offset)} bytes left`,
      at: at(source.name, offset),
    });
  }
  return source.read(offset, length);
}

/** a + b, or E_SIZE_OVERFLOW past 2^53 − 1. */
export function checkedAdd(a: number, b: number, what: string, where: string): number {
  const r = a + b;
  if (!Number.isSafeInteger(r)) throw fail('E_SIZE_OVERFLOW', { what, expected: 'a size below 2^53', got: `${a} + ${b}`, at: where });
  return r;
}

/** a × b, or E_SIZE_OVERFLOW past 2^53 − 1. */
export function checkedMul(a: number, b: number, what: string, where: string): number {
  const r = a * b;
  if (!Number.isSafeInteger(r)) throw fail('E_SIZE_OVERFLOW', { what, expected: 'a size below 2^53', got: `${a} × ${b}`, at: where });
  return r;
}

/** Product of a shape times the item size, checked: the byte length a tensor must have. */
export function shapeByteLength(shape: readonly number[], itemSize: number, what: string, where: string): number {
  let n = itemSize;
  for (const d of shape) n = checkedMul(n, d, what, where);
  return n;
}

/** A little-endian cursor over bytes already read; `base` is their offset in the source, for messages. */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly base: number;
  pos = 0;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, name: string, base = 0) {
    this.bytes = bytes;
    this.name = name;
    this.base = base;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Checks that `n` more bytes are present for `what`. */
  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.byteLength) {
      throw fail('E_TRUNCATED', {
        what,
        expected: `${n} bytes`,
        got: `${this.bytes.byteLength - this.pos} bytes left`,
        at: at(this.name, this.base + this.pos),
      });
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A u64 as a number, or E_SIZE_OVERFLOW when it is not below 2^53. */
  u64(what: string): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    if (hi >= 0x200000) {
      throw fail('E_SIZE_OVERFLOW', { what, expected: 'a value below 2^53', got: `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`, at: at(this.name, this.base + this.pos) });
    }
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Reverses the byte order of each `size`-byte item into a new array. */
export function byteswap(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += size) {
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k] as number;
  }
  return out;
}

/** Reverses the byte order of each `size`-byte item in place; returns `bytes`. */
export function byteswapInPlace(bytes: Uint8Array, size: number): Uint8Array {
  for (let i = 0; i < bytes.byteLength; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const x = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = x;
    }
  }
  return bytes;
}

/**
 * Typed array of `dtype` over little-endian `bytes` (length already checked to be a multiple of
 * the item size). A view when aligned on a little-endian host, else a copy.
 */
export function typedFromLittleEndian(dtype: DType, bytes: Uint8Array, bigEndian = false): TensorData {
  const row = DTYPES[dtype];
  const n = bytes.byteLength / row.itemSize;
  const swap = row.itemSize > 1 && bigEndian !== HOST_BIG_ENDIAN;
  const src = swap ? byteswap(bytes, row.itemSize) : bytes;
  if (src.byteOffset % row.itemSize === 0) return row.make(src.buffer as ArrayBuffer, src.byteOffset, n);
  const copy = new Uint8Array(src); // a copy: a Node Buffer's slice() is a view
  return row.make(copy.buffer, 0, n);
}

/** The little-endian bytes of a tensor's data (a view on a little-endian host). */
export function littleEndianBytes(data: TensorData, itemSize: number): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return HOST_BIG_ENDIAN && itemSize > 1 ? byteswap(bytes, itemSize) : bytes;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as zip and gzip use it. */
export function crc32(bytes: Uint8Array): number {
  const table = (CRC_TABLE ??= makeCrcTable());
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (table[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function makeCrcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
