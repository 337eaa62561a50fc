/**
 * A directory of `<name>.npy` files as one weights source (golden/<case>/weights_npy/): file
 * `rnn.weight_ih_l0.npy` is tensor `rnn.weight_ih_l0`. Browser-safe: the caller lists the files
 * (src/node.ts from a directory, a page from a file picker) and hands over their sources.
 */
import { fail } from '../errors.js';
import { checkLimit, type Limits } from './limits.js';
import { openNpy } from './npy.js';
import type { ByteSource } from './source.js';
import { emptyMetadata, type OpenedTensors, type TensorEntry } from './weights-index.js';

/** One file of the directory. */
export interface NpyDirFile {
  /** Base name, ending in `.npy`. */
  readonly fileName: string;
  readonly source: ByteSource;
}

/** Reads the header of each file (in the given order); data is read per tensor on `read`. */
export function openNpyDir(dirName: string, files: readonly NpyDirFile[], limits: Limits): OpenedTensors {
  checkLimit(limits, 'maxTensors', files.length, 'number of .npy files', dirName);
  const opened = new Map<string, OpenedTensors>();
  const tensors = new Map<string, TensorEntry>();
  for (const { fileName, source } of files) {
    if (!fileName.endsWith('.npy') || fileName.length === 4) {
      throw fail('E_BAD_OPTION', { what: 'npy directory file', expected: '<name>.npy', got: JSON.stringify(fileName), at: dirName });
    }
    const name = fileName.slice(0, -4);
    const file = openNpy(source, limits, name);
    opened.set(name, file);
    tensors.set(name, file.tensors.get(name) as TensorEntry);
  }
  return { metadata: emptyMetadata(), tensors, read: (name) => (opened.get(name) as OpenedTensors).read(name) };
}
