/**
 * `rnnport conformance`: the main job. Runs every golden case (default: the package's golden/;
 * `--golden DIR`: golden case folders, the packaged archive, or a folder of case files) through
 * every weights format it ships, shows progress, then a summary per mode × format (cases, passed,
 * failed, max abs and rel error, margin to the tolerance); exit 1 if any run fails. A case that
 * throws counts as failed with its error code, so one broken case hides no other.
 *
 * `--impl 'CMD'` checks another implementation instead: every case that `rnnport run` can express
 * goes through CMD with run's arguments (src/cli/impl.ts); cases it cannot express are listed and
 * skipped, cases CMD calls unsupported (exit 3) are counted apart; the summary is per mode and
 * the options a case exercises.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Case } from '../../conformance/case.js';
import { expressGolden } from '../../conformance/golden.js';
import { caseMode, checkCase, rnnportImplementation, type CaseOutcome, type Implementation } from '../../conformance/implementation.js';
import { fail, isRnnportError } from '../../errors.js';
import { formatShape } from '../../tensor.js';
import { engineFor } from '../forward.js';
import { defaultGoldenDir, GOLDEN_FORMATS, listCaseFiles, listGoldenCases, runGoldenCase, type GoldenCase } from '../golden.js';
import { commandImplementation } from '../impl.js';
import { resolvePath, writeOutputFile, type ExitCode, type Io } from '../io.js';
import type { ConformanceCommand } from '../parse.js';
import { jsonDocument } from '../render/json.js';
import { startProgress } from '../render/progress.js';
import { failureLine, formatError, formatRatio, formatValue, table } from '../render/text.js';

/** One run (a case in one weights format, or through the implementation), flattened for the report. */
interface Outcome {
  readonly case: string;
  /** The weights format, or `case` for a case file run through an implementation. */
  readonly format: string;
  /** RNN_TANH, RNN_RELU, GRU, LSTM, or the cell's class (RNNCell_TANH, GRUCell, LSTMCell). */
  readonly mode: string;
  /** The options the case exercises (bidirectional, packed, …), for `--impl`'s summary. */
  readonly options: string;
  readonly status: 'ok' | 'failed' | 'unsupported';
  /** The errors over the compared tensors; NaN when the run raised an error before comparing. */
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly worstOfTolerance: number;
  /** What failed or why unsupported, a sentence starting with its code. */
  readonly failure: string | null;
}

/** A run to make: its label and how to get its outcome. */
interface Run {
  readonly label: string;
  readonly exec: () => Promise<Outcome>;
}

/** The largest of a field over compared tensors (NaN when none were compared). */
function maxOver(results: readonly { readonly shapeOk: boolean; readonly maxAbs: number; readonly maxRel: number; readonly worstOfTolerance: number }[]): Pick<Outcome, 'maxAbs' | 'maxRel' | 'worstOfTolerance'> {
  const compared = results.filter((r) => r.shapeOk);
  const max = (f: (r: (typeof compared)[number]) => number): number => (compared.length === 0 ? NaN : Math.max(...compared.map(f)));
  return { maxAbs: max((r) => r.maxAbs), maxRel: max((r) => r.maxRel), worstOfTolerance: max((r) => r.worstOfTolerance) };
}

const failedRun = (error: unknown): Pick<Outcome, 'status' | 'maxAbs' | 'maxRel' | 'worstOfTolerance' | 'failure'> => ({
  status: 'failed',
  maxAbs: NaN,
  maxRel: NaN,
  worstOfTolerance: NaN,
  failure: isRnnportError(error) ? `${error.code}: ${error.message}` : `E_INTERNAL: ${error instanceof Error ? error.message : String(error)}`,
});

/** The options a case exercises, as a label: `bidirectional, packed`, or `plain`. */
function optionsLabel(c: Case): string {
  const o = c.description.options;
  const tags = [
    (o['num_layers'] as number | undefined) !== undefined && (o['num_layers'] as number) > 1 ? 'layers' : '',
    o['bidirectional'] === true ? 'bidirectional' : '',
    ((o['proj_size'] as number | undefined) ?? 0) > 0 ? 'proj_size' : '',
    o['bias'] === false ? 'bias=False' : '',
    o['batch_first'] === true ? 'batch_first' : '',
    c.input.ndim === (c.description.module.endsWith('Cell') ? 1 : 2) ? 'unbatched' : '',
    c.h0 !== undefined ? 'h_0' : '',
    c.lengths !== undefined ? 'packed' : '',
    c.description.dtype === 'float64' ? 'float64' : '',
  ].filter((t) => t !== '');
  return tags.length === 0 ? 'plain' : tags.join(', ');
}

/** A golden case in one format through rnnport. */
function goldenRun(c: GoldenCase, format: (typeof GOLDEN_FORMATS)[number], cmd: ConformanceCommand): Run {
  const base = { case: c.name, format, mode: caseMode(c.spec), options: '' };
  return {
    label: `${c.name} ${format}`,
    exec: async () => {
      try {
        const r = await runGoldenCase(c, format, { engine: cmd.engine, simd: cmd.simd });
        const bad = r.tensors.find((t) => !t.result.ok);
        const w = bad?.result.worst;
        const failure =
          bad !== undefined
            ? w === undefined
              ? `E_EXPECTED_SHAPE: ${bad.tensor}: expected shape ${formatShape(bad.expectedShape)} (PyTorch's), got ${formatShape(bad.gotShape)}`
              : `E_MISMATCH: ${bad.tensor}[${w.index.join(', ')}]: expected ${formatValue(w.expected)}, got ${formatValue(w.got)} (${formatRatio(bad.result.worstOfTolerance)} of its tolerance)`
            : r.configMismatches.length > 0
              ? `E_MISMATCH: module config differs from case.json: ${r.configMismatches.join('; ')}`
              : null;
        return { ...base, status: r.ok ? 'ok' : 'failed', ...maxOver(r.tensors.map((t) => t.result)), failure };
      } catch (error) {
        return { ...base, ...failedRun(error) };
      }
    },
  };
}

/** A case (a case file, or a golden case expressed through run) through an implementation. */
function caseRun(name: string, format: string, load: () => Case | Promise<Case>, impl: Implementation): Run {
  return {
    label: `${name} ${format}`,
    exec: async () => {
      let c: Case;
      try {
        c = await load();
      } catch (error) {
        return { case: name, format, mode: '?', options: '', ...failedRun(error) };
      }
      const o: CaseOutcome = await checkCase(c, impl);
      return { case: name, format, mode: caseMode(c.description), options: optionsLabel(c), status: o.status, ...maxOver(o.tensors.map((t) => t.result)), failure: o.reason };
    },
  };
}

/** Rows grouped by `key` (mode × format, or mode × options), in mode order then first appearance. */
function summarize(outcomes: readonly Outcome[], key: 'format' | 'options', impl: boolean): string[][] {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(`${o.mode}\u0000${o[key]}`, [...(groups.get(`${o.mode}\u0000${o[key]}`) ?? []), o]);
  const formatIndex = (f: string): number => GOLDEN_FORMATS.indexOf(f as (typeof GOLDEN_FORMATS)[number]);
  const rows = [...groups.values()]
    .sort((a, b) => {
      const [x, y] = [a[0] as Outcome, b[0] as Outcome];
      if (x.mode !== y.mode) return x.mode < y.mode ? -1 : 1;
      return key === 'format' ? formatIndex(x.format) - formatIndex(y.format) : 0;
    })
    .map((list) => {
      const { mode } = list[0] as Outcome;
      const count = (s: Outcome['status']): number => list.filter((o) => o.status === s).length;
      // over the runs that compared tensors (a run that raised an error has none)
      const max = (f: (o: Outcome) => number): number => Math.max(0, ...list.map(f).filter((v) => !Number.isNaN(v)));
      const margin = `worst ${formatRatio(max((o) => o.worstOfTolerance))} of tolerance`;
      const counts = [String(list.length), String(count('ok')), String(count('failed')), ...(impl ? [String(count('unsupported'))] : [])];
      return [mode, (list[0] as Outcome)[key], ...counts, formatError(max((o) => o.maxAbs)), formatError(max((o) => o.maxRel)), margin];
    });
  const header = ['mode', key === 'format' ? 'format' : 'options', 'cases', 'passed', 'failed', ...(impl ? ['unsupported'] : []), 'max abs err', 'max rel err', 'margin'];
  return [header, ...rows];
}

export async function conformance(cmd: ConformanceCommand, io: Io): Promise<ExitCode> {
  const { name: engine, simd } = engineFor(cmd.engine, cmd.simd);
  const dir = cmd.golden === undefined ? defaultGoldenDir() : resolvePath(io, cmd.golden);
  const caseFiles = listCaseFiles(dir, cmd.filter);
  const goldens = caseFiles.length > 0 ? [] : listGoldenCases(dir, cmd.filter);
  if (caseFiles.length === 0 && goldens.length === 0) {
    throw fail('E_BAD_OPTION', { what: cmd.filter === undefined ? '--golden' : '--filter', expected: cmd.filter === undefined ? 'a folder of golden cases or case files' : 'a text contained in at least one case name', got: JSON.stringify(cmd.filter ?? dir), at: dir });
  }
  const work = cmd.impl === undefined ? null : mkdtempSync(join(tmpdir(), 'rnnport-impl-'));
  const impl = work === null ? rnnportImplementation({ engine: cmd.engine, simd: cmd.simd }) : commandImplementation(cmd.impl as string, work);
  const notExpressible: [string, string][] = [];
  const runs: Run[] = caseFiles.map((f) => caseRun(f.name, 'case', f.load, impl));
  for (const c of goldens) {
    if (work === null) {
      runs.push(...c.formats.map((format) => goldenRun(c, format, cmd)));
      continue;
    }
    const expressed = await expressGolden(c.spec, c.files);
    if ('notExpressible' in expressed) notExpressible.push([c.name, expressed.notExpressible]);
    else runs.push(caseRun(c.name, 'case', () => expressed, impl));
  }
  const progress = startProgress(io, runs.length, 'conformance');
  const outcomes: Outcome[] = [];
  try {
    for (const run of runs) {
      const o = await run.exec();
      outcomes.push(o);
      const detail = o.status === 'ok' ? `max abs err ${formatError(o.maxAbs)}, worst ${formatRatio(o.worstOfTolerance)} of tolerance` : (o.failure ?? '');
      progress.tick(run.label, o.status !== 'failed', o.status === 'unsupported' ? `unsupported: ${detail}` : detail);
    }
  } finally {
    progress.stop();
    if (work !== null) rmSync(work, { recursive: true, force: true });
  }

  const failed = outcomes.filter((o) => o.status === 'failed');
  const unsupportedRuns = outcomes.filter((o) => o.status === 'unsupported');
  const who = cmd.impl === undefined ? `engine ${engine}${simd === 'none' ? '' : ` (${simd} SIMD)`}` : `implementation ${JSON.stringify(cmd.impl)}`;
  const lines = [
    `rnnport ${io.versions.rnnport}, Node ${io.versions.node}, ${who}; ${caseFiles.length + goldens.length} case(s) from ${dir}`,
    '',
    table(summarize(outcomes, cmd.impl === undefined && caseFiles.length === 0 ? 'format' : 'options', cmd.impl !== undefined), ''),
    '',
  ];
  if (failed.length > 0) lines.push('failures', table(failed.map((o) => [o.case, o.format, o.failure ?? ''])), '');
  if (unsupportedRuns.length > 0) lines.push('unsupported (exit 3)', table(unsupportedRuns.map((o) => [o.case, o.failure ?? ''])), '');
  if (notExpressible.length > 0) lines.push(`not expressible through run, skipped: ${notExpressible.length} case(s)`, table(notExpressible), '');
  lines.push("tolerance: each case's own, |got − expected| ≤ atol + rtol·|expected| (float32 cases 1e-5 + 1e-4·|expected|, float64 1e-10 + 1e-8·|expected|)");
  const passed = outcomes.length - failed.length - unsupportedRuns.length;
  lines.push(failed.length === 0 ? `all ${passed} runs passed${unsupportedRuns.length > 0 ? `, ${unsupportedRuns.length} unsupported` : ''}` : `${failed.length} of ${outcomes.length} runs FAILED`);
  io.stdout.write(`${lines.join('\n')}\n`);
  if (failed.length > 0) {
    io.stderr.write(failureLine('E_MISMATCH', { what: 'conformance', expected: "every run to match PyTorch's results within its case's tolerance", got: `${failed.length} of ${outcomes.length} runs failing (listed above)` }));
  }
  if (cmd.json !== undefined) {
    const results = outcomes.map((o) => ({ ...o, ok: o.status === 'ok' }));
    const skipped = notExpressible.map(([name, why]) => ({ case: name, reason: why }));
    writeOutputFile(io, cmd.json, jsonDocument({ rnnport: io.versions.rnnport, node: io.versions.node, engine, simd, impl: cmd.impl ?? null, golden: dir, passed, failed: failed.length, unsupported: unsupportedRuns.length, results, notExpressible: skipped }));
  }
  return failed.length === 0 ? 0 : 1;
}
