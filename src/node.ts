/**
 * `rnnport/node`: file paths for the loaders. Files are read on demand with fs.readSync, so
 * opening a multi-GB checkpoint reads its header only and loading reads the tensors asked for.
 * The only module besides the CLI that touches `node:*`.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnportError, fail, ioError } from './errors.js';
import { resolveLimits } from './io/limits.js';
import { makeIndex, openWeights, type LoadOptions, type WeightsIndex } from './io/load.js';
import { parseNpy, saveNpy } from './io/npy.js';
import { openNpyDir } from './io/npy-dir.js';
import type { ByteSource } from './io/source.js';
import type { StateDict, Tensor } from './tensor.js';

/** A ByteSource over a file. The descriptor opens on the first read and stays open until `close()`; a read after `close()` reopens it. */
export interface FileSource extends ByteSource {
  close(): void;
}

/** A file as a ByteSource; its size is taken now. Missing or unreadable files are E_IO. */
export function fileSource(path: string): FileSource {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw ioError('file', path, e);
  }
  let fd: number | undefined;
  return {
    size,
    name: path,
    read(offset: number, length: number): Uint8Array {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw fail('E_TRUNCATED', { what: 'read', expected: `${length} bytes at offset ${offset}`, got: `${size} bytes in all`, at: path });
      }
      const out = new Uint8Array(length);
      try {
        fd ??= openSync(path, 'r');
        let done = 0;
        while (done < length) {
          const n = readSync(fd, out, done, length - done, offset + done);
          if (n === 0) throw fail('E_TRUNCATED', { what: 'read', expected: `${length} bytes at offset ${offset}`, got: `${done} (the file shrank)`, at: path });
          done += n;
        }
      } catch (e) {
        if (e instanceof RnnportError) throw e;
        throw ioError('read', path, e);
      }
      return out;
    },
    close(): void {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Opens weights by path: a file (safetensors, npz, npy or .pt, sniffed from its bytes) or a
 * directory of `<name>.npy` files (format `npy-dir`, in file-name order). Reads headers only;
 * `load()` reads the tensors. Files are closed between calls.
 */
export function openStateDict(path: string, options: LoadOptions = {}): WeightsIndex {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (e) {
    throw ioError('weights path', path, e);
  }
  const sources: FileSource[] = [];
  const closeAll = (): void => sources.forEach((s) => s.close());
  let index: WeightsIndex;
  try {
    if (isDirectory) {
      if (options.key !== undefined) throw fail('E_BAD_OPTION', { what: 'key', expected: 'no key for a directory of .npy files', got: JSON.stringify(options.key), at: path });
      const limits = resolveLimits(options.limits);
      const names = readdirSync(path).filter((f) => f.endsWith('.npy')).sort();
      if (names.length === 0) throw fail('E_IO', { what: 'weights directory', expected: 'one or more <name>.npy files', got: 'none', at: path });
      const files = names.map((fileName) => {
        const source = fileSource(join(path, fileName));
        sources.push(source);
        return { fileName, source };
      });
      index = makeIndex('npy-dir', path, openNpyDir(path, files, limits), limits);
    } else {
      const source = fileSource(path);
      sources.push(source);
      index = openWeights(source, options);
    }
  } finally {
    closeAll();
  }
  const opened = index;
  return {
    ...opened,
    load(names?: Iterable<string>): StateDict {
      try {
        return opened.load(names);
      } finally {
        closeAll();
      }
    },
  };
}

/** Reads one .npy file. @see numpy.load */
export function readNpyFile(path: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError('npy file', path, e);
  }
  return parseNpy(bytes, path);
}

/** Writes one tensor as a .npy file (byte-identical to np.save). @see numpy.save */
export function writeNpyFile(path: string, tensor: Tensor): void {
  const bytes = saveNpy(tensor);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw ioError('npy file', path, e, 'a writable path');
  }
}
