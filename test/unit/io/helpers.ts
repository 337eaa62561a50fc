// Shared by the io tests: what a call throws, as data.
import { isRnnportError, type RnnportError } from '../../../src/errors.js';
import type { ByteSource } from '../../../src/io/source.js';

/** The RnnportError `fn` throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): RnnportError {
  try {
    fn();
  } catch (e) {
    if (isRnnportError(e)) return e;
    throw new Error(`expected an RnnportError, got ${String(e)}`);
  }
  throw new Error('expected an RnnportError, got none');
}

/** The code of the RnnportError `fn` throws. */
export function codeOf(fn: () => unknown): string {
  return errorOf(fn).code;
}

/** A ByteSource over bytes that records every read, to prove what a loader touches. */
export function countingSource(bytes: Uint8Array, name = '<bytes>'): ByteSource & { reads: [number, number][]; bytesRead(): number } {
  const reads: [number, number][] = [];
  return {
    size: bytes.length,
    name,
    reads,
    bytesRead: () => reads.reduce((n, [, l]) => n + l, 0),
    read(offset: number, length: number): Uint8Array {
      reads.push([offset, length]);
      return bytes.slice(offset, offset + length);
    },
  };
}
