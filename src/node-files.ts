/**
 * Files from a path, read safely (used by src/node.ts and the CLI): only regular files are read —
 * a FIFO, a device (`/dev/zero`), a socket or a directory is E_IO before a byte is read, and a
 * FIFO never blocks the open (O_NONBLOCK) — and every Node error becomes one E_IO shape.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { RnnportError } from './errors.js';

/**
 * A Node error (`ENOENT`, `EACCES`, …) as E_IO: `what` the file's role, `expected` what it had to
 * be, `path` where. The one place the CLI and `rnnport/node` turn Node errors into RnnportErrors.
 */
export function ioError(what: string, expected: string, path: string, e: unknown): RnnportError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : String(e);
  return new RnnportError('E_IO', { what, expected, got: code, at: path }, { cause: e });
}

/** An open regular file: its descriptor and identity. */
export interface RegularFile {
  readonly fd: number;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
}

// O_NONBLOCK: opening a FIFO for reading must not wait for a writer. (Undefined on Windows, which has no FIFOs to open.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Opens `path` for reading if it is a regular file (symbolic links followed), else E_IO; the caller closes `fd`. */
export function openRegular(path: string, what: string): RegularFile {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw ioError(what, 'a readable regular file', path, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new RnnportError('E_IO', { what, expected: 'a regular file', got: fileKind(st), at: path });
    }
    return { fd, size: st.size, dev: st.dev, ino: st.ino };
  } catch (e) {
    closeSync(fd);
    if (e instanceof RnnportError) throw e;
    throw ioError(what, 'a readable regular file', path, e);
  }
}

function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
