// checkAgainstReference on a hand-written port: the correct port passes; each planted bug is
// caught with default settings and shrunk to a small configuration (≤ 2 layers, hidden size ≤ 3),
// and the counterexample is written as a case file rnnport reads back.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCase } from '../../src/conformance/case.js';
import { checkAgainstReference } from '../../src/testing.js';
import { handPort, type Bug } from './port.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnport-planted-'));

describe('checkAgainstReference', () => {
  it('passes a correct hand-written port', async () => {
    await expect(checkAgainstReference(handPort('none'), { counterexample: false })).resolves.toBeUndefined();
  });

  it.each<[Bug, RegExp]>([
    ['bidirectional h_n rows swapped', /bidirectional=True/],
    ['GRU reset before', /nn\.GRU/],
    ['LSTM gates in TF order', /nn\.LSTM/],
    ['packed h_n taken at T', /lengths \[/],
  ])('catches "%s" and shrinks it', async (bug, shape) => {
    const file = join(dir, `${bug.replace(/\W+/g, '_')}.safetensors`);
    const error = await checkAgainstReference(handPort(bug), { counterexample: file }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error, bug).not.toBeNull();
    const message = (error as Error).message;
    expect(message).toMatch(shape);
    expect(message).toMatch(/Replay: checkAgainstReference\(impl, \{ seed: -?\d+, path: '[\d:]*' \}\)/);
    const layers = Number(/num_layers=(\d+)/.exec(message)?.[1] ?? 1);
    const hidden = Number(/nn\.\w+\(\d+, (\d+)/.exec(message)?.[1]);
    expect(layers, message).toBeLessThanOrEqual(2);
    expect(hidden, message).toBeLessThanOrEqual(3);
    expect(existsSync(file)).toBe(true);
    const c = loadCase(readFileSync(file), file);
    expect(c.description.torch).toBeNull();
    expect(message).toContain(c.description.module);
    // the printed seed and path replay the same counterexample
    const [, seed, path] = /seed: (-?\d+), path: '([\d:]*)'/.exec(message) ?? [];
    const replay = await checkAgainstReference(handPort(bug), { seed: Number(seed), path: path as string, counterexample: false }).catch((e: Error) => e.message);
    expect((replay as string).split('\n')[1]).toBe(message.split('\n')[1]);
  });
});
