/**
 * The compatibility table: docs/COMPATIBILITY.md is exactly what its data renders to (so no cell is
 * edited by hand), every golden case is either in the data or listed as not expressible, each row
 * holds the cases its feature names, and a verdict that changes (or a holdout case that disagrees
 * with its row) is caught by --check's comparison.
 * (.ci/run re-measures the offline columns against the published verdicts with `npm run compat --
 * --offline --check`.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURES, featuresOf, loadTableCases } from '../lib/table/cases.js';
import { compareVerdicts, renderMarkdown, type TableData } from '../lib/table/report.js';
import { REPO, RUNTIMES } from '../lib/table/runtimes.js';

const data = JSON.parse(readFileSync(join(REPO, 'docs/compatibility.json'), 'utf8')) as TableData;

describe('docs/COMPATIBILITY.md', () => {
  it('is the rendering of docs/compatibility.json (regenerate: npm run compat -- --render)', () => {
    expect(readFileSync(join(REPO, 'docs/COMPATIBILITY.md'), 'utf8')).toBe(renderMarkdown(data));
  });

  it('has a measured column for every runtime, in order, each with its versions', () => {
    expect(data.columns.map((c) => c.id)).toEqual(RUNTIMES.map((r) => r.id));
    for (const c of data.columns) {
      expect(c.unavailable, c.id).toBeNull();
      expect(c.version, c.id).toMatch(/\d+\.\d+/);
      expect(Object.keys(c.cases).sort(), c.id).toEqual(Object.keys(data.cases).sort());
    }
  });

  it('accounts for every golden case: in the table, or not expressible with the reason', () => {
    const golden = readdirSync(join(REPO, 'golden'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const accounted = [...Object.keys(data.cases), ...data.notExpressible.map((n) => n.name)].sort();
    expect(accounted).toEqual(golden.sort());
    for (const n of data.notExpressible) expect(n.reason, n.name).not.toBe('');
  });
});

describe('rows', () => {
  it('classify cases by what they exercise, read from the case itself', async () => {
    const { cases } = await loadTableCases(join(REPO, 'golden'), 'lstm_');
    const byName = new Map(cases.map((c) => [c.name, featuresOf(c)]));
    expect(byName.get('lstm_proj_bidir_l2_h0')).toEqual(['lstm', 'layers', 'bidirectional', 'proj_size', 'state']);
    expect(byName.get('lstm_w_f16')).toEqual(['lstm', 'layers', 'bidirectional', 'w_f16']);
    expect(byName.get('lstm_unbatched_batch_first')).toEqual(['lstm', 'batch_first', 'unbatched']);
    expect(byName.get('lstm_batch0')).toContain('batch0');
    expect(byName.get('lstm_f64_packed')).toEqual(expect.arrayContaining(['float64']));
    const packed = cases.filter((c) => c.lengths !== undefined);
    expect(packed.length).toBeGreaterThan(0);
    for (const c of packed) expect(featuresOf(c).filter((f) => f.startsWith('packed_')), c.name).toHaveLength(1);
    const cell = (await loadTableCases(join(REPO, 'golden'), 'lstmcell_unbatched_no_h0')).cases[0];
    expect(cell && featuresOf(cell)).toEqual(['unbatched', 'lstm_cell']);
  });

  it('every feature has cases in the published data', () => {
    for (const f of FEATURES) expect(Object.values(data.cases).some((fs) => fs.includes(f.id)), f.id).toBe(true);
  });
});

describe('--check', () => {
  const column = data.columns.find((c) => c.id === 'rnnport-reference');
  it('agrees with itself and reports a changed verdict, case by case', () => {
    expect(column).toBeDefined();
    expect(compareVerdicts(data, data)).toEqual([]);
    const [name] = Object.keys(column?.cases ?? {});
    const changed: TableData = {
      ...data,
      columns: [{ ...column!, cases: { ...column!.cases, [name!]: { status: 'failed', maxAbs: 1, reason: 'E_MISMATCH: output[0]' } } }],
    };
    expect(compareVerdicts(data, changed)).toEqual([`rnnport-reference ${name}: published ok, now failed (E_MISMATCH: output[0])`]);
    expect(compareVerdicts(data, { ...data, columns: [{ ...column!, unavailable: 'no Chromium', cases: {} }] })).toEqual(['rnnport-reference: could not run here: no Chromium']);
  });

  it('holds a case the table does not hold (a holdout) to the verdict of the published cases with exactly its features', () => {
    const tfjs = data.columns.find((c) => c.id === 'tfjs-cpu')!;
    const features = (name: string): readonly string[] => data.cases[name]!;
    const holdout = (status: 'ok' | 'unsupported', like: string): TableData => ({
      ...data,
      cases: { ...data.cases, holdout_case: features(like) },
      columns: [{ ...tfjs, cases: { holdout_case: { status, maxAbs: null, reason: null } } }],
    });
    // every published GRU case is unsupported in tfjs: a GRU holdout that "passes" disagrees
    expect(compareVerdicts(data, holdout('unsupported', 'gru_l2_bidir'))).toEqual([]);
    expect(compareVerdicts(data, holdout('ok', 'gru_l2_bidir'))[0]).toMatch(/^tfjs-cpu holdout_case: its row predicts unsupported \(as gru_l2_bidir/);
    // features no published case has: no prediction, counted
    const unpredicted: string[] = [];
    const odd: TableData = { ...holdout('ok', 'gru_l2_bidir'), cases: { ...data.cases, holdout_case: ['gru', 'w_bf16', 'float64'] } };
    expect(compareVerdicts(data, odd, unpredicted)).toEqual([]);
    expect(unpredicted).toEqual(['tfjs-cpu holdout_case']);
  });
});
