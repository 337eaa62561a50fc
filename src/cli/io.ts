/**
 * What a command may touch of the outside world besides files: where text goes, whether stderr
 * is a terminal (progress bar or one line per case), and the directory paths are resolved from.
 * `main.ts` builds the real one from `process`; tests build one over strings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Limits } from '../io/limits.js';
import { ioError } from '../node-files.js';

/** A sink for text. */
export interface Writer {
  write(text: string): void;
}

export interface Io {
  /** Data: reports, JSON documents. */
  readonly stdout: Writer;
  /** Progress and diagnostics. */
  readonly stderr: Writer;
  /** The stream a progress bar redraws on a TTY; null when stderr is not a terminal. */
  readonly progressStream: NodeJS.WritableStream | null;
  /** Paths on the command line are relative to this. */
  readonly cwd: string;
  /** Recorded in reports: rnnport and Node versions, and the V8 flags the CLI set for its process (src/cli/v8-flags.ts). */
  readonly versions: { readonly rnnport: string; readonly node: string; readonly v8Flags: readonly string[] };
  /** Limits for every weights file the command opens (`--max-bytes`); the loaders' defaults when absent. */
  readonly limits?: Partial<Limits>;
}

/** Exit status: 0 success, 1 a check failed or input was rejected, 2 usage error. */
export type ExitCode = 0 | 1 | 2;

/** A command line path, resolved against the Io's working directory. */
export function resolvePath(io: Io, path: string): string {
  return resolve(io.cwd, path);
}

/** Writes a file given on the command line (SVG, JSON report, ONNX model), creating its directory; failures are E_IO. */
export function writeOutputFile(io: Io, path: string, text: string | Uint8Array): void {
  const full = resolvePath(io, path);
  try {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  } catch (e) {
    throw ioError('output file', 'a path rnnport can write', full, e);
  }
}
