/**
 * npm run compat [-- --runtime ID,ID | --offline] [--golden DIR] [--filter TEXT] [--json FILE] [--check]
 *
 * Runs the golden cases (or a folder of case files, --golden) through every runtime of the
 * compatibility table (lib/table/runtimes.ts) and compares each case with PyTorch's tensors.
 *   (no flag)    measure every column; write docs/compatibility.json and docs/COMPATIBILITY.md
 *   --runtime    measure these columns only and replace them in the published data and table
 *   --offline    the columns that need no PyTorch (what .ci/run checks)
 *   --json FILE  write the run's data to FILE instead; the published files are left alone
 *   --check      compare each case's verdict with the published data: exit 1 on any difference (a
 *                case the table does not hold, e.g. --golden's, with the verdict of the published
 *                cases that have exactly its features, where they agree on one)
 *   --render     re-render docs/COMPATIBILITY.md from docs/compatibility.json
 * Exit 0, 1 (a --check difference), 2 (usage).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkImplementation } from '../../dist/index.js';
import { featuresOf, loadTableCases } from '../lib/table/cases.js';
import { compareVerdicts, renderMarkdown, type CaseResult, type ColumnResult, type TableData } from '../lib/table/report.js';
import { REPO, RUNTIMES, Unavailable } from '../lib/table/runtimes.js';

const DATA = join(REPO, 'docs/compatibility.json');
const DOC = join(REPO, 'docs/COMPATIBILITY.md');

/** A warning as the table lists it: TorchScript graph dumps (different for every case) cut to their first words. */
const oneWarning = (w: string): string => w.replace(/(Torch IR graph at exception: graph)\(.*$/, '$1(…)');

function usage(message: string): never {
  process.stderr.write(`compat: ${message}\nusage: npm run compat -- [--runtime ${RUNTIMES.map((r) => r.id).join(',')}] [--offline] [--golden DIR] [--filter TEXT] [--json FILE] [--check] [--render]\n`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      runtime: { type: 'string' },
      golden: { type: 'string' },
      filter: { type: 'string' },
      json: { type: 'string' },
      check: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  }).values;
}
try {
  args = parse();
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}

const published = (): TableData => JSON.parse(readFileSync(DATA, 'utf8')) as TableData;
const write = (data: TableData): void => {
  writeFileSync(DATA, `${JSON.stringify(data, null, 1)}\n`);
  writeFileSync(DOC, renderMarkdown(data));
  process.stderr.write(`compat: wrote ${DATA} and ${DOC}\n`);
};

if (args.render) {
  write(published());
  process.exit(0);
}

const ids = args.runtime?.split(',').map((s) => s.trim()) ?? RUNTIMES.filter((r) => !args.offline || r.offline).map((r) => r.id);
const unknown = ids.filter((id) => !RUNTIMES.some((r) => r.id === id));
if (unknown.length > 0) usage(`unknown runtime ${unknown.join(', ')}`);
const specs = RUNTIMES.filter((r) => ids.includes(r.id));
const partial = args.golden !== undefined || args.filter !== undefined;
if (partial && !args.check && args.json === undefined) usage('--golden and --filter measure other cases than the published table: add --json FILE or --check');

const { cases, notExpressible } = await loadTableCases(args.golden ?? join(REPO, 'golden'), args.filter);
process.stderr.write(`compat: ${cases.length} cases (${notExpressible.length} not expressible); runtimes ${specs.map((s) => s.id).join(', ')}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'rnnport-compat-'));
const columns: ColumnResult[] = [];
try {
  for (const spec of specs) {
    const base = { id: spec.id, label: spec.label, about: spec.about, measured: new Date().toISOString().slice(0, 10) };
    let runtime;
    try {
      runtime = await spec.open({ cases, workDir });
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e;
      process.stderr.write(`compat: ${spec.id}: unavailable: ${e.message}\n`);
      columns.push({ ...base, version: null, unavailable: e.message, cases: {}, notes: {} });
      continue;
    }
    const results: Record<string, CaseResult> = {};
    const started = Date.now();
    try {
      for (const [i, c] of cases.entries()) {
        const [o] = await checkImplementation(runtime.implementationFor(c), [c]);
        if (o === undefined) throw new Error(`no outcome for ${c.name}`);
        const maxAbs = o.tensors.reduce((m, t) => Math.max(m, t.result.maxAbs), 0);
        results[c.name] = { status: o.status, maxAbs: o.tensors.length === 0 || !Number.isFinite(maxAbs) ? null : maxAbs, reason: o.reason };
        if (o.status === 'failed') process.stderr.write(`compat: ${spec.id}: ${c.name}: ${o.reason ?? ''}\n`);
        if ((i + 1) % 25 === 0) process.stderr.write(`compat: ${spec.id}: ${i + 1}/${cases.length}\n`);
      }
    } finally {
      await runtime.close();
    }
    const counts = ['ok', 'failed', 'unsupported'].map((s) => `${Object.values(results).filter((r) => r.status === s).length} ${s}`).join(', ');
    process.stderr.write(`compat: ${spec.id}: ${counts} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    const notes: Record<string, string[]> = {};
    for (const [name, ws] of runtime.notes ?? []) {
      for (const w of ws) (notes[oneWarning(w)] ??= []).push(name);
    }
    columns.push({ ...base, version: runtime.version, unavailable: null, cases: results, notes });
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

const cpu = cpus();
const run: TableData = {
  schema: 1,
  machine: `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}`,
  cases: Object.fromEntries(cases.map((c) => [c.name, featuresOf(c)])),
  notExpressible,
  columns,
};

if (args.check) {
  const unpredicted: string[] = [];
  const diffs = compareVerdicts(published(), run, unpredicted);
  for (const d of diffs) process.stderr.write(`compat: differs: ${d}\n`);
  if (unpredicted.length > 0) process.stderr.write(`compat: ${unpredicted.length} verdict(s) of cases the table does not hold have no prediction (no published case with exactly their features agrees on one): ${unpredicted.slice(0, 5).join('; ')}${unpredicted.length > 5 ? '; …' : ''}\n`);
  process.stderr.write(`compat: ${diffs.length === 0 ? 'every verdict agrees with' : `${diffs.length} verdict(s) differ from`} docs/compatibility.json\n`);
  process.exit(diffs.length === 0 ? 0 : 1);
}
if (args.json !== undefined) {
  writeFileSync(args.json, `${JSON.stringify(run, null, 1)}\n`);
  process.stderr.write(`compat: wrote ${args.json}\n`);
} else if (args.runtime !== undefined || args.offline) {
  const old = published();
  write({ ...run, columns: RUNTIMES.flatMap((r) => columns.find((c) => c.id === r.id) ?? old.columns.find((c) => c.id === r.id) ?? []) });
} else {
  write(run);
}
