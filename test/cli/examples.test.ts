/** The runnable examples of examples/node, run as a user runs them (against the built package). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './helpers.js';

beforeAll(ensureBuilt);

describe('examples/node', () => {
  it('lstm.mjs reproduces PyTorch and shows output[:, -1, :H] == h_n[-2]', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'examples/node/lstm.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('module: LSTM(3, 4, num_layers=2, bidirectional=True)');
    expect(r.stdout).toContain('input [3,5,3] → output [3,5,8], h_n [4,3,4], c_n [4,3,4]');
    expect(r.stdout).toContain('output[:, -1, :H] == h_n[-2]: true');
  });

  it('classifier.mjs runs Embedding → packed bidirectional LSTM → LayerNorm → Linear from one safetensors file as PyTorch 2.13 does', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'examples/node/classifier.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('model: Embedding(40, 8) → LSTM(8, 12, num_layers=2, bidirectional=True) → LayerNorm(24) → Linear(24, 5)');
    expect(r.stdout).toContain('tokens [4,7], lengths [7,3,5,1] → logits [4,5]');
    expect(r.stdout).toContain('classes: 4 3 2 1 (PyTorch: 4 3 2 1)');
    const maxAbs = Number(/max \|rnnport - PyTorch\| = (\S+)/.exec(r.stdout)?.[1]);
    expect(maxAbs).toBeLessThanOrEqual(1e-6);
  });
});
