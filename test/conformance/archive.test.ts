// The golden archive the npm package ships instead of golden/ (scripts/pack_golden.mjs, made by
// the build): every case of the tree is in it with every format, and cases run from it as from
// their folders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listGoldenCases, runGoldenCase } from '../../src/cli/golden.js';

const root = join(import.meta.dirname, '..', '..');
const tree = listGoldenCases(join(root, 'golden'));
const archive = listGoldenCases(join(root, 'dist', 'golden'));

describe('the packaged golden archive', () => {
  it('holds every case of golden/, with the same case.json and formats', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'golden', 'MANIFEST.json'), 'utf8')) as { count: number };
    expect(archive.length).toBe(manifest.count);
    expect(archive.map((c) => [c.name, c.spec, c.formats])).toEqual(tree.map((c) => [c.name, c.spec, c.formats]));
  });

  it('runs cases in every format from the archive with the results of their folders', async () => {
    for (const name of ['lstm_proj_bidir_l2_h0', 'gru_packed_unsorted', 'multi_nested', 'grucell_f64']) {
      const fromArchive = archive.find((c) => c.name === name);
      const fromTree = tree.find((c) => c.name === name);
      if (fromArchive === undefined || fromTree === undefined) throw new Error(`no case ${name}`);
      for (const format of fromArchive.formats) {
        const a = await runGoldenCase(fromArchive, format, { engine: 'reference' });
        const b = await runGoldenCase(fromTree, format, { engine: 'reference' });
        expect(a.ok, `${name} ${format}`).toBe(true);
        expect(a.tensors).toEqual(b.tensors);
      }
    }
  });

  it('filters by name', () => {
    expect(listGoldenCases(join(root, 'dist', 'golden', 'golden.zip'), 'gru_h0').map((c) => c.name)).toEqual(['gru_h0']);
  });
});
