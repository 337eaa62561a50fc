import type { Io } from '../../../src/cli/io.js';

/** An Io that collects what a command writes, for in-process tests. */
export function memoryIo(cwd: string): Io & { readonly out: string[]; readonly err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (text) => void out.push(text) },
    stderr: { write: (text) => void err.push(text) },
    progressStream: null,
    cwd,
    versions: { rnnport: 'test', node: 'test', v8Flags: [] },
  };
}
