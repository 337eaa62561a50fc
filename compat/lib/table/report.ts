/**
 * The compatibility table's data (docs/compatibility.json: every case's verdict in every column)
 * and its rendering (docs/COMPATIBILITY.md), which is a pure function of the data.
 */
import { FEATURES } from './cases.js';

export interface CaseResult {
  readonly status: 'ok' | 'failed' | 'unsupported';
  /** max |got − expected| over the compared tensors; null when nothing was compared (or shapes differ). */
  readonly maxAbs: number | null;
  /** Why it failed or is unsupported. */
  readonly reason: string | null;
}

export interface ColumnResult {
  readonly id: string;
  readonly label: string;
  readonly about: string;
  /** Versions that produced it; null when the runtime was unavailable. */
  readonly version: string | null;
  /** Why the runtime could not run here (then `cases` is empty). */
  readonly unavailable: string | null;
  readonly measured: string;
  readonly cases: Readonly<Record<string, CaseResult>>;
  /** An exporter's warnings: each distinct one, with the cases whose export emitted it. */
  readonly notes: Readonly<Record<string, readonly string[]>>;
}

export interface TableData {
  readonly schema: 1;
  readonly machine: string;
  /** The golden cases' features by case name, and those `run` cannot express. */
  readonly cases: Readonly<Record<string, readonly string[]>>;
  readonly notExpressible: readonly { readonly name: string; readonly reason: string }[];
  readonly columns: readonly ColumnResult[];
}

const fmt = (x: number): string => (x === 0 ? '0' : x.toExponential(1));

/** Footnotes: each distinct reason once, numbered in order of first use. */
class Notes {
  readonly list: string[] = [];
  /** The references of `texts` as one superscript: `<sup>1, 4</sup>`. */
  refs(texts: readonly string[]): string {
    if (texts.length === 0) return '';
    const numbers = texts.map((text) => {
      const i = this.list.indexOf(text);
      return i < 0 ? this.list.push(text) : i + 1;
    });
    return `<sup>${numbers.sort((a, b) => a - b).join(', ')}</sup>`;
  }
}

interface Tally {
  ok: number;
  failed: number;
  unsupported: number;
  maxAbs: number;
  reasons: Map<string, number>;
}

function tally(col: ColumnResult, names: readonly string[]): Tally {
  const t: Tally = { ok: 0, failed: 0, unsupported: 0, maxAbs: 0, reasons: new Map() };
  for (const name of names) {
    const r = col.cases[name];
    if (r === undefined) continue;
    t[r.status]++;
    if (r.status !== 'unsupported' && r.maxAbs !== null) t.maxAbs = Math.max(t.maxAbs, r.maxAbs);
    if (r.status === 'unsupported') t.reasons.set(r.reason ?? '', (t.reasons.get(r.reason ?? '') ?? 0) + 1);
  }
  return t;
}

/** The commonest reason first. */
const reasonsOf = (t: Tally): string[] => [...t.reasons].sort((a, b) => b[1] - a[1]).map(([r]) => r);

function cell(col: ColumnResult, names: readonly string[], notes: Notes): string {
  if (col.unavailable !== null) return 'not run';
  const t = tally(col, names);
  const run = t.ok + t.failed;
  const unsupported = notes.refs(reasonsOf(t));
  if (run === 0) return t.unsupported > 0 ? `unsupported${unsupported}` : '—';
  const head = t.failed === 0 ? `${t.ok}/${run}` : `**${t.ok}/${run}**`;
  return `${head}<br>${fmt(t.maxAbs)}${t.unsupported > 0 ? `<br>+${t.unsupported} unsupported${unsupported}` : ''}`;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/COMPATIBILITY.md from the data. */
export function renderMarkdown(data: TableData): string {
  const names = Object.keys(data.cases).sort();
  const notes = new Notes();
  const cols = data.columns;
  const rows = [
    ...FEATURES.map((f) => ({ label: f.label, names: names.filter((n) => data.cases[n]?.includes(f.id)) })).filter((r) => r.names.length > 0),
    { label: '**all cases**', names },
  ];
  const table = [
    `| feature (cases) | ${cols.map((c) => esc(c.label)).join(' | ')} |`,
    `|---|${cols.map(() => ':-:').join('|')}|`,
    ...rows.map((r) => `| ${r.label} (${r.names.length}) | ${cols.map((c) => cell(c, r.names, notes)).join(' | ')} |`),
  ];
  const totals = cols.map((c) => {
    if (c.unavailable !== null) return `- **${c.label}**: not run here: ${c.unavailable}`;
    const t = tally(c, names);
    return `- **${c.label}**: ${t.ok} of ${t.ok + t.failed} cases run pass${t.failed > 0 ? ` (${t.failed} fail)` : ''}${t.unsupported > 0 ? `; ${t.unsupported} unsupported` : ''}`;
  });
  const failures = cols.flatMap((c) =>
    Object.entries(c.cases)
      .filter(([, r]) => r.status === 'failed')
      .map(([name, r]) => `| ${esc(c.label)} | \`${name}\` | ${esc((r.reason ?? '').slice(0, 300))} |`),
  );
  // the ORT ← torch.onnx.export columns share one export: each warning once, with its columns
  const warnings = new Map<string, { cases: Set<string>; columns: Set<string> }>();
  for (const c of cols) {
    for (const [w, cases] of Object.entries(c.notes)) {
      const entry = warnings.get(w) ?? { cases: new Set(), columns: new Set() };
      for (const n of cases) entry.cases.add(n);
      entry.columns.add(c.label);
      warnings.set(w, entry);
    }
  }
  const warned = [...warnings].map(([w, { cases, columns }]) => {
    const names = [...cases].sort();
    return `| ${esc(w)} | ${names.length}: ${names.slice(0, 4).map((n) => `\`${n}\``).join(', ')}${names.length > 4 ? ', …' : ''} | ${[...columns].map(esc).join(', ')} |`;
  });
  const byReason = new Map<string, string[]>();
  for (const n of data.notExpressible) {
    const reason = n.reason.replace(/(padding_value|total_length) -?[\d.]+( ≠ T = \d+)?/, (_, k: string) => (k === 'padding_value' ? 'padding_value ≠ 0' : 'total_length ≠ T'));
    byReason.set(reason, [...(byReason.get(reason) ?? []), n.name]);
  }
  return [
    '# Compatibility: which runtimes reproduce PyTorch’s recurrent layers',
    '',
    '<!-- Generated by `cd compat && npm run compat` from docs/compatibility.json; do not edit by hand. -->',
    '',
    'Every golden case of this repository (outputs recorded from PyTorch, `golden/`) run through each',
    'runtime a PyTorch RNN is commonly shipped with, and compared with PyTorch’s tensors (output, h_n,',
    'c_n) within the case’s own tolerance (|got − expected| ≤ atol + rtol·|expected|, from the case).',
    'A cell is **cases passed / cases run** in that row, then the **worst absolute error** among them;',
    '"unsupported" means the runtime (or its adapter, faithfully) cannot express those cases, for the',
    'reason in the note. A case counts in every row it exercises. A bold count has failures, listed',
    'below with the worst element.',
    '',
    table.join('\n'),
    '',
    ...totals,
    '',
    '## Runtimes',
    '',
    'Each column is re-measured by `cd compat && npm run compat -- --runtime ID` (the case-by-case',
    'verdicts land in [compatibility.json](compatibility.json)); `npm run compat` re-measures them all.',
    '',
    '| column | ID | what | versions | measured |',
    '|---|---|---|---|---|',
    ...cols.map((c) => `| ${esc(c.label)} | \`${c.id}\` | ${esc(c.about)} | ${esc(c.version ?? `not run: ${c.unavailable ?? ''}`)} | ${c.measured} |`),
    '',
    `Machine: ${data.machine}.`,
    '',
    '## Notes',
    '',
    ...(notes.list.length === 0 ? ['None.'] : notes.list.map((n, i) => `${i + 1}. ${esc(n)}`)),
    '',
    '## Failures',
    '',
    ...(failures.length === 0 ? ['None.'] : ['| column | case | first difference |', '|---|---|---|', ...failures]),
    '',
    '## Warnings from torch.onnx.export',
    '',
    ...(warned.length === 0 ? ['None.'] : ['| warning | cases | columns |', '|---|---|---|', ...warned]),
    '',
    '## Golden cases not in the table',
    '',
    `${data.notExpressible.length} golden cases are not expressible as \`rnnport run\`'s inputs (the contract every column implements), so no column runs them:`,
    '',
    ...[...byReason].map(([reason, cases]) => `- ${cases.length} × ${esc(reason)}`),
    '',
  ].join('\n');
}

/**
 * Verdict differences between a run and the published data, one line each (empty: they agree).
 * A case of the published table must have its published verdict. A case it does not hold (a
 * holdout, --golden) must have the verdict its row predicts: the one verdict shared by every
 * published case with exactly its features; where the published cases with its features disagree,
 * or none has them, there is no prediction and the case is not compared (`unpredicted` counts it).
 */
export function compareVerdicts(published: TableData, run: TableData, unpredicted: string[] = []): string[] {
  const diffs: string[] = [];
  const key = (features: readonly string[] | undefined): string => [...(features ?? [])].sort().join(',');
  const sameFeatures = new Map<string, string[]>();
  for (const [name, features] of Object.entries(published.cases)) sameFeatures.set(key(features), [...(sameFeatures.get(key(features)) ?? []), name]);
  for (const col of run.columns) {
    const pub = published.columns.find((c) => c.id === col.id);
    if (pub === undefined) {
      diffs.push(`${col.id}: not in the published table`);
      continue;
    }
    if (col.unavailable !== null) {
      diffs.push(`${col.id}: could not run here: ${col.unavailable}`);
      continue;
    }
    for (const [name, r] of Object.entries(col.cases)) {
      const p = pub.cases[name];
      const now = `now ${r.status}${r.reason === null ? '' : ` (${r.reason})`}`;
      if (p !== undefined) {
        if (p.status !== r.status) diffs.push(`${col.id} ${name}: published ${p.status}, ${now}`);
        continue;
      }
      const peers = sameFeatures.get(key(run.cases[name])) ?? [];
      const verdicts = new Set(peers.map((n) => pub.cases[n]?.status));
      const [predicted] = verdicts;
      if (verdicts.size !== 1 || predicted === undefined) unpredicted.push(`${col.id} ${name}`);
      else if (predicted !== r.status) diffs.push(`${col.id} ${name}: its row predicts ${predicted} (as ${peers.slice(0, 3).join(', ')}), ${now}`);
    }
  }
  return diffs;
}
