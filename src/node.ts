/**
 * `rnnport/node`: file paths for the loaders. Files are read on demand, so opening a multi-GB
 * checkpoint reads its header only and loading reads the tensors asked for. Only regular files
 * are read (node-files.ts): a FIFO, a device or a socket is E_IO, and a directory of .npy files
 * reads only regular files inside it. The only module besides the CLI that touches `node:*`.
 */
import { closeSync, readdirSync, readSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { badArgument, fail, RnnportError } from './errors.js';
import { resolveLimits } from './io/limits.js';
import { checkLoadOptions, openWeights, type LoadOptions, type WeightsIndex } from './io/load.js';
import { openNpy, saveNpy } from './io/npy.js';
import { openNpyDir } from './io/npy-dir.js';
import type { ByteSource } from './io/source.js';
import { makeIndex } from './io/weights-index.js';
import { ioError, openRegular } from './node-files.js';
import type { StateDict, Tensor } from './tensor.js';

/** A ByteSource over a file, with `close()` to release its descriptor (a later read reopens it). */
export interface FileSource extends ByteSource {
  close(): void;
}

/**
 * A regular file as a ByteSource; its size and identity are taken now. The descriptor stays
 * open for the reads that follow (a zip directory is many small reads) until `close()`, or is
 * closed after each read with `{ keepOpen: false }` (a directory of many .npy files). A reopen
 * checks it is still the same regular file (else E_IO), so a file swapped for a FIFO is never
 * read. Missing, unreadable or non-regular files are E_IO; a file that shrank, E_TRUNCATED.
 * `name` (default `path`) is what messages show.
 */
export function fileSource(path: string, name: string = path, options: { readonly keepOpen?: boolean } = {}): FileSource {
  const first = openRegular(path, 'file');
  const keepOpen = options.keepOpen ?? true;
  let fd: number | undefined = first.fd;
  if (!keepOpen) {
    closeSync(first.fd);
    fd = undefined;
  }
  const size = first.size;
  const open = (): number => {
    if (fd !== undefined) return fd;
    const again = openRegular(path, 'file');
    if (again.dev !== first.dev || again.ino !== first.ino) {
      closeSync(again.fd);
      throw fail('E_IO', { what: 'file', expected: 'the file opened', got: 'another file at that path', at: name });
    }
    return (fd = again.fd);
  };
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    size,
    name,
    read(offset: number, length: number): Uint8Array {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw fail('E_TRUNCATED', { what: 'read', expected: `${length} bytes at offset ${offset}`, got: `${size} bytes in all`, at: name });
      }
      const out = new Uint8Array(length);
      try {
        const handle = open();
        let done = 0;
        while (done < length) {
          const n = readSync(handle, out, done, length - done, offset + done);
          if (n === 0) throw fail('E_TRUNCATED', { what: 'read', expected: `${length} bytes at offset ${offset}`, got: `${done} (the file shrank)`, at: name });
          done += n;
        }
      } catch (e) {
        if (e instanceof RnnportError) throw e;
        throw ioError('read', 'a readable file', name, e);
      } finally {
        if (!keepOpen) close();
      }
      return out;
    },
    close,
  };
}

/**
 * Opens weights by path: a file (safetensors, npz, npy or .pt, sniffed from its bytes) or a
 * directory of `<name>.npy` files (format `npy-dir`, in file-name order). Reads headers only;
 * `load()` reads the tensors.
 */
export function openStateDict(path: string, options?: LoadOptions): WeightsIndex {
  if (typeof path !== 'string') throw badArgument('openStateDict(path)', 'a path (string)', path);
  const opts = checkLoadOptions('openStateDict', options);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (e) {
    throw ioError('weights path', 'a readable file or directory', path, e);
  }
  if (isDirectory) {
    if (opts.key !== undefined) throw fail('E_BAD_OPTION', { what: 'key', expected: 'no key for a directory of .npy files', got: JSON.stringify(opts.key), at: path });
    const files = npyDirFiles(path, resolveLimits(opts.limits).maxTensors);
    const limits = resolveLimits(opts.limits, files.reduce((n, f) => n + f.source.size, 0));
    return makeIndex('npy-dir', path, openNpyDir(path, files, limits), limits);
  }
  // One descriptor, open while the header is read and while load() reads; closed in between.
  const source = fileSource(path);
  let index: WeightsIndex;
  try {
    index = openWeights(source, opts);
  } finally {
    source.close();
  }
  const opened = index;
  return {
    ...opened,
    load(names?: Iterable<string>): StateDict {
      try {
        return opened.load(names);
      } finally {
        source.close();
      }
    },
  };
}

/**
 * The `<name>.npy` files of a directory, in name order, each a regular file inside it: an entry
 * that is another kind of file, or a symbolic link resolving outside the directory, is E_IO
 * (nothing of it is read, so no byte of a file elsewhere can reach a message).
 */
function npyDirFiles(path: string, maxFiles: number): { fileName: string; source: FileSource }[] {
  let real: string;
  let names: string[];
  try {
    real = realpathSync(path);
    names = readdirSync(real).filter((f) => f.endsWith('.npy')).sort();
  } catch (e) {
    throw ioError('weights directory', 'a readable directory', path, e);
  }
  if (names.length === 0) throw fail('E_IO', { what: 'weights directory', expected: 'one or more <name>.npy files', got: 'none', at: path });
  if (names.length > maxFiles) throw fail('E_LIMIT', { what: 'number of .npy files', expected: `at most ${maxFiles} (limits.maxTensors)`, got: String(names.length), at: path });
  return names.map((fileName) => {
    const shown = join(path, fileName);
    let target: string;
    try {
      target = realpathSync(join(real, fileName));
    } catch (e) {
      throw ioError('npy directory file', 'a readable file inside the directory', shown, e);
    }
    if (!target.startsWith(real.endsWith(sep) ? real : real + sep)) {
      throw fail('E_IO', { what: 'npy directory file', expected: 'a regular file inside the directory', got: 'a link to a path outside it', at: shown });
    }
    return { fileName, source: fileSource(target, shown, { keepOpen: false }) };
  });
}

/** Reads one .npy file (a regular file; the whole of it). @see numpy.load */
export function readNpyFile(path: string): Tensor {
  if (typeof path !== 'string') throw badArgument('readNpyFile(path)', 'a path (string)', path);
  const source = fileSource(path);
  try {
    return openNpy(source, resolveLimits(undefined, source.size), 'arr_0').read('arr_0');
  } finally {
    source.close();
  }
}

/** Writes one tensor as a .npy file (byte-identical to np.save). @see numpy.save */
export function writeNpyFile(path: string, tensor: Tensor): void {
  if (typeof path !== 'string') throw badArgument('writeNpyFile(path)', 'a path (string)', path);
  const bytes = saveNpy(tensor);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw ioError('npy file', 'a writable path', path, e);
  }
}
