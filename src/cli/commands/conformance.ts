/**
 * `rnnport conformance`: the main job. Runs every golden case (default: the package's golden/)
 * through every weights format it ships, shows progress, then a summary per mode × format
 * (cases, passed, failed, max abs error, max rel error); exit 1 if any case fails. A case that
 * throws counts as failed with its error code, so one broken case hides no other.
 */
import { fail, isRnnportError } from '../../errors.js';
import { engineFor } from '../forward.js';
import { defaultGoldenDir, GOLDEN_FORMATS, listGoldenCases, runGoldenCase, type GoldenCase, type GoldenFormat } from '../golden.js';
import { resolvePath, writeOutputFile, type ExitCode, type Io } from '../io.js';
import type { ConformanceCommand } from '../parse.js';
import { jsonDocument } from '../render/json.js';
import { startProgress } from '../render/progress.js';
import { failureLine, formatError, formatRatio, formatValue, table } from '../render/text.js';
import { formatShape } from '../../tensor.js';

/** One case × format, flattened for the report. */
interface Outcome {
  readonly case: string;
  readonly format: GoldenFormat;
  /** RNN_TANH, RNN_RELU, GRU, LSTM, or the cell's class (RNNCell_TANH, GRUCell, LSTMCell). */
  readonly mode: string;
  readonly ok: boolean;
  /** The errors over the compared tensors; NaN when the run raised an error before comparing. */
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly worstOfTolerance: number;
  /** What failed, a sentence starting with its code: a tensor's worst element, or the error the case raised. */
  readonly failure: string | null;
}

function modeOf(c: GoldenCase): string {
  const { module, options } = c.spec;
  const act = String(options['nonlinearity'] ?? 'tanh').toUpperCase();
  if (module === 'RNN') return `RNN_${act}`;
  if (module === 'RNNCell') return `RNNCell_${act}`;
  return module;
}

async function runOne(c: GoldenCase, format: GoldenFormat, cmd: ConformanceCommand): Promise<Outcome> {
  const base = { case: c.name, format, mode: modeOf(c) };
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
    const compared = r.tensors.filter((t) => t.result.shapeOk).map((t) => t.result);
    const max = (f: (x: (typeof compared)[number]) => number): number => (compared.length === 0 ? NaN : Math.max(...compared.map(f)));
    return { ...base, ok: r.ok, maxAbs: max((x) => x.maxAbs), maxRel: max((x) => x.maxRel), worstOfTolerance: max((x) => x.worstOfTolerance), failure };
  } catch (error) {
    const failure = isRnnportError(error) ? `${error.code}: ${error.message}` : `E_INTERNAL: ${error instanceof Error ? error.message : String(error)}`;
    return { ...base, ok: false, maxAbs: NaN, maxRel: NaN, worstOfTolerance: NaN, failure };
  }
}

function summarize(outcomes: readonly Outcome[]): string[][] {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const key = `${o.mode} ${o.format}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  // modes alphabetically (GRU before GRUCell), formats in GOLDEN_FORMATS order
  const order = (o: Outcome): [string, number] => [o.mode, GOLDEN_FORMATS.indexOf(o.format)];
  const rows = [...groups.values()]
    .sort((a, b) => {
      const [ma, fa] = order(a[0] as Outcome);
      const [mb, fb] = order(b[0] as Outcome);
      return ma === mb ? fa - fb : ma < mb ? -1 : 1;
    })
    .map((list) => {
      const { mode, format } = list[0] as Outcome;
      const passed = list.filter((o) => o.ok).length;
      // over the runs that compared tensors (a run that raised an error has none)
      const max = (f: (o: Outcome) => number): number => Math.max(0, ...list.map(f).filter((v) => !Number.isNaN(v)));
      const worst = formatRatio(max((o) => o.worstOfTolerance));
      return [mode, format, String(list.length), String(passed), String(list.length - passed), formatError(max((o) => o.maxAbs)), formatError(max((o) => o.maxRel)), `worst ${worst} of tolerance`];
    });
  return [['mode', 'format', 'cases', 'passed', 'failed', 'max abs err', 'max rel err', 'margin'], ...rows];
}

export async function conformance(cmd: ConformanceCommand, io: Io): Promise<ExitCode> {
  const { name: engine, simd } = engineFor(cmd.engine, cmd.simd);
  const dir = cmd.golden === undefined ? defaultGoldenDir() : resolvePath(io, cmd.golden);
  const cases = listGoldenCases(dir, cmd.filter);
  if (cases.length === 0) {
    throw fail('E_BAD_OPTION', { what: '--filter', expected: 'a text contained in at least one case name', got: JSON.stringify(cmd.filter ?? ''), at: dir });
  }
  const runs = cases.flatMap((c) => c.formats.map((format) => [c, format] as const));
  const progress = startProgress(io, runs.length, 'conformance');
  const outcomes: Outcome[] = [];
  for (const [c, format] of runs) {
    const o = await runOne(c, format, cmd);
    outcomes.push(o);
    progress.tick(`${c.name} ${format}`, o.ok, o.ok ? `max abs err ${formatError(o.maxAbs)}, worst ${formatRatio(o.worstOfTolerance)} of tolerance` : (o.failure ?? ''));
  }
  progress.stop();

  const failed = outcomes.filter((o) => !o.ok);
  const lines = [
    `rnnport ${io.versions.rnnport}, Node ${io.versions.node}, engine ${engine}${simd === 'none' ? '' : ` (${simd} SIMD)`}; ${cases.length} case(s) from ${dir}`,
    '',
    table(summarize(outcomes), ''),
    '',
  ];
  if (failed.length > 0) lines.push('failures', table(failed.map((o) => [o.case, o.format, o.failure ?? ''])), '');
  lines.push('tolerance: each case\'s own, |got − expected| ≤ atol + rtol·|expected| (float32 cases 1e-5 + 1e-4·|expected|, float64 1e-10 + 1e-8·|expected|)');
  lines.push(failed.length === 0 ? `all ${outcomes.length} runs passed` : `${failed.length} of ${outcomes.length} runs FAILED`);
  io.stdout.write(`${lines.join('\n')}\n`);
  if (failed.length > 0) {
    io.stderr.write(failureLine('E_MISMATCH', { what: 'conformance', expected: "every run to match PyTorch's results within its case's tolerance", got: `${failed.length} of ${outcomes.length} runs failing (listed above)` }));
  }
  if (cmd.json !== undefined) {
    writeOutputFile(io, cmd.json, jsonDocument({ rnnport: io.versions.rnnport, node: io.versions.node, engine, simd, golden: dir, passed: outcomes.length - failed.length, failed: failed.length, results: outcomes }));
  }
  return failed.length === 0 ? 0 : 1;
}
