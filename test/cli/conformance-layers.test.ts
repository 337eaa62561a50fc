/** `rnnport conformance` over the layer cases: each layer is its own mode in the summary. */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './helpers.js';

beforeAll(ensureBuilt);

describe('rnnport conformance: layers', () => {
  it('runs the Embedding / Linear / LayerNorm cases in every format and shows each layer as a mode', () => {
    const r = cli(['conformance', '--filter', 'layernorm_no', '--engine', 'reference']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // layernorm_no_affine and layernorm_nobias, four formats each
    expect(r.stdout).toMatch(/^LayerNorm\s+safetensors\s+2\s+2\s+0\s/m);
    expect(r.stdout).toMatch(/^LayerNorm\s+pt\s+2\s+2\s+0\s/m);
    expect(r.stdout).toContain('all 8 runs passed');
    const embedding = cli(['conformance', '--filter', 'embedding_w_bf16']);
    expect(embedding.stdout).toMatch(/^Embedding\s+safetensors\s+1\s+1\s+0\s/m);
  });
});
