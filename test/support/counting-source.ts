/** A ByteSource over bytes that counts the bytes read from it: the work a loader did, measured. */
import { bytesSource, type ByteSource } from '../../src/io/source.js';

export function countingSource(bytes: Uint8Array, name?: string): ByteSource & { readonly bytesRead: () => number } {
  const inner = bytesSource(bytes, name);
  let n = 0;
  return {
    size: inner.size,
    name: inner.name,
    read(offset: number, length: number): Uint8Array {
      n += length;
      return inner.read(offset, length);
    },
    bytesRead: () => n,
  };
}

/** What a mutated small file may cost a loader: bytes read at most READ_FACTOR × its size (+ 64 KiB). */
export const READ_FACTOR = 8;
