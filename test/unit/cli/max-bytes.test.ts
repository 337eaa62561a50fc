/** `--max-bytes N` sets the materialised and inflated byte limits of every weights file a command opens. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { parseCommand } from '../../../src/cli/parse.js';
import { memoryIo } from './memory-io.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const GRU = join(ROOT, 'golden', 'gru_l1', 'weights.safetensors');
const X = join(ROOT, 'golden', 'gru_l1', 'input.npy');

describe('--max-bytes', () => {
  it('parses for inspect, run, verify, bench and explain WEIGHTS, as an integer ≥ 1', () => {
    for (const argv of [['inspect', 'w'], ['run', 'w', '--input', 'x', '--out', 'o'], ['verify', 'w', '--input', 'x', '--expected-output', 'y'], ['bench', 'w', '--input', 'x'], ['explain', 'w']]) {
      expect(parseCommand([...argv, '--max-bytes', '1000'])).toMatchObject({ kind: 'command', maxBytes: 1000 });
    }
    expect(parseCommand(['inspect', 'w'])).not.toHaveProperty('maxBytes');
    for (const bad of ['0', '1e9', '-1', 'lots']) expect(parseCommand(['inspect', 'w', '--max-bytes', bad])).toMatchObject({ kind: 'usage-error' });
  });

  it('lowers (or raises) the limits a command loads under', async () => {
    const io = memoryIo(ROOT);
    expect(await main(['run', GRU, '--input', X, '--out', join(ROOT, 'dist', 'tmp-max-bytes'), '--max-bytes', '100'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/^rnnport: E_LIMIT: tensor bytes to load: expected at most 100 \(limits\.maxTotalBytes\)/);
  });
});
