// Shared by the io tests: what a call throws, as data.
export { codeOf, errorOf } from '../../support/errors.js';
import type { ByteSource } from '../../../src/io/source.js';

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
