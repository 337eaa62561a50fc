/**
 * Where loaders read bytes from: a whole Uint8Array in memory (browser-safe), or a file read on
 * demand (src/node.ts implements one with fs.readSync). Loaders read the header or zip directory
 * first and tensor bytes only when asked, so a large checkpoint costs memory for what is used.
 */
import { fail } from '../errors.js';

/** A random-access, read-only byte source of known size. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A name for messages (file path, or `<bytes>`). */
  readonly name: string;
  /**
   * Reads exactly `length` bytes at `offset`. Callers check `offset + length <= size` first and
   * raise E_TRUNCATED themselves with context; this throws E_TRUNCATED as a last guard.
   */
  read(offset: number, length: number): Uint8Array;
}

/** A ByteSource over bytes in memory; `read` returns views, never copies. */
export function bytesSource(bytes: Uint8Array, name = '<bytes>'): ByteSource {
  return {
    size: bytes.byteLength,
    name,
    read(offset: number, length: number): Uint8Array {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.byteLength) {
        throw fail('E_TRUNCATED', { what: 'read', expected: `${length} bytes at offset ${offset}`, got: `${bytes.byteLength} bytes in all`, at: name });
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}
