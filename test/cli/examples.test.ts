/** The README's runnable example, run as a user runs it (against the built package). */
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
});
