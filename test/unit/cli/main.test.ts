import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/io.js';
import { memoryIo } from './memory-io.js';
import { main } from '../../../src/cli/main.js';

describe('main (in-process)', () => {
  it('runs a command and returns its exit code', async () => {
    const io = memoryIo(process.cwd());
    expect(await main(['explain', '--mode', 'rnn', '--hidden-size', '2'], io)).toBe(0);
    expect(io.out.join('')).toContain('output[-1] == h_n[-1]');
    expect(io.err).toEqual([]);
  });

  it('an unexpected exception is E_INTERNAL with a hint, and a stack only with --debug', async () => {
    const broken = (): Io & { err: string[] } => {
      const io = memoryIo(process.cwd());
      return { ...io, stdout: { write: () => { throw new TypeError('stdout closed'); } } };
    };
    const io = broken();
    expect(await main(['explain', '--mode', 'rnn', '--hidden-size', '2'], io)).toBe(1);
    expect(io.err.join('')).toBe('rnnport: E_INTERNAL: stdout closed (rerun with --debug for the stack)\n');

    const debug = broken();
    expect(await main(['explain', '--mode', 'rnn', '--hidden-size', '2', '--debug'], debug)).toBe(1);
    expect(debug.err.join('')).toMatch(/^rnnport: E_INTERNAL: stdout closed\nTypeError: stdout closed\n\s+at /);
  });

  it('a usage error prints the usage line and E_USAGE, exit 2', async () => {
    const io = memoryIo(process.cwd());
    expect(await main(['inspect', '--nope'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/^usage: rnnport inspect WEIGHTS.*\nrnnport: E_USAGE: /);
  });
});
