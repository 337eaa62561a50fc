/**
 * `rnnport verify`: runs like `run`, then compares with PyTorch's results using the rule of
 * docs/cli.md "Comparisons" (|got − exp| ≤ atol + rtol·|exp|) — either a case file
 * (`verify CASE.safetensors`: its inputs, settings, outputs and tolerance; docs/case-format.md),
 * or arrays saved from PyTorch (`--input`, `--expected-output`, …). Prints per tensor the max abs
 * and rel errors and how close the worst element came to its tolerance; on a mismatch, the worst
 * element (the one furthest over its tolerance) with both values and one stderr line
 * `rnnport: E_MISMATCH: …`, exit 1. An expected array of another shape is E_EXPECTED_SHAPE.
 */
import { compareTensors, defaultTolerance, type CompareResult, type Tolerance } from '../../compare.js';
import { loadCase } from '../../conformance/case.js';
import { checkCase, rnnportImplementation } from '../../conformance/implementation.js';
import { fail } from '../../errors.js';
import { openStateDict, readNpyFile } from '../../node.js';
import { formatShape, numel, type Tensor } from '../../tensor.js';
import { engineFor, prepareRun, runPrepared } from '../forward.js';
import { resolvePath, type ExitCode, type Io } from '../io.js';
import type { VerifyCommand } from '../parse.js';
import { failureLine, formatError, formatRatio, formatValue, table } from '../render/text.js';

/** One compared tensor: where PyTorch's values came from and the comparison. */
interface Row {
  readonly name: string;
  readonly source: string;
  readonly shape: readonly number[];
  readonly expectedShape: readonly number[];
  readonly result: CompareResult;
}

export async function verify(cmd: VerifyCommand, io: Io): Promise<ExitCode> {
  return cmd.input === undefined ? verifyCase(cmd, io) : verifyArrays({ ...cmd, input: cmd.input }, io);
}

/** `verify WEIGHTS --input X --expected-output F …`. */
async function verifyArrays(cmd: VerifyCommand & { input: string }, io: Io): Promise<ExitCode> {
  const p = prepareRun(io, cmd);
  const result = runPrepared(p);
  p.module.dispose();
  if (cmd.expectedCN !== undefined && result.cN === undefined) {
    throw fail('E_BAD_OPTION', { what: '--expected-c-n', expected: 'only for nn.LSTM / nn.LSTMCell', got: `a module without c_n` });
  }
  const defaults = defaultTolerance(p.dtype);
  const tol = { atol: cmd.atol ?? defaults.atol, rtol: cmd.rtol ?? defaults.rtol };
  const pairs: [string, string | undefined, Tensor | undefined][] = [
    ['output', cmd.expectedOutput, result.output],
    ['h_n', cmd.expectedHN, result.hN],
    ['c_n', cmd.expectedCN, result.cN],
  ];
  const rows: Row[] = [];
  for (const [name, file, got] of pairs) {
    if (file === undefined || got === undefined) continue;
    const expected = readNpyFile(resolvePath(io, file));
    if (!sameShape(got.shape, expected.shape)) {
      throw fail('E_EXPECTED_SHAPE', { what: `${name} expected in ${file}`, expected: `shape ${formatShape(got.shape)} (the ${name} rnnport computed)`, got: `shape ${formatShape(expected.shape)}`, at: file });
    }
    rows.push({ name, source: file, shape: got.shape, expectedShape: expected.shape, result: compareTensors(got, expected, tol) });
  }
  return report(rows, tol, p.dtype, io);
}

/** The flags a case file replaces: it carries its inputs, settings and expected outputs. */
const CASE_CARRIES = [
  ['h0', '--h0'], ['c0', '--c0'], ['lengths', '--lengths'], ['nonlinearity', '--nonlinearity'], ['dtype', '--dtype'],
  ['prefix', '--prefix'], ['key', '--key'], ['expectedHN', '--expected-h-n'], ['expectedCN', '--expected-c-n'],
] as const;

/** `verify CASE.safetensors`: everything comes from the case file. */
async function verifyCase(cmd: VerifyCommand, io: Io): Promise<ExitCode> {
  for (const [field, flag] of CASE_CARRIES) {
    if (cmd[field] !== undefined) throw fail('E_BAD_OPTION', { what: flag, expected: 'no such flag with a case file (it carries its inputs, settings and outputs)', got: flag });
  }
  if (cmd.batchFirst) throw fail('E_BAD_OPTION', { what: '--batch-first', expected: 'no such flag with a case file (it carries its inputs, settings and outputs)', got: '--batch-first' });
  engineFor(cmd.engine, cmd.simd);
  const c = loadCase(openStateDict(resolvePath(io, cmd.weights)));
  const d = c.description;
  const tol: Tolerance = { atol: cmd.atol ?? d.tolerance.atol, rtol: cmd.rtol ?? d.tolerance.rtol };
  const outcome = await checkCase(c, rnnportImplementation({ engine: cmd.engine, simd: cmd.simd }), tol);
  if (outcome.tensors.length === 0 && outcome.reason !== null) {
    // rnnport rejected the case's module or inputs: that error, as any command's
    io.stderr.write(`rnnport: ${outcome.reason}\n`);
    return 1;
  }
  io.stdout.write(`case ${c.name}: nn.${d.module} ${d.dtype}${d.packed ? ', packed' : ''}; PyTorch's values from ${d.torch === null ? (d.created_by ?? 'an unnamed writer') : `torch ${d.torch}`}\n`);
  const rows = outcome.tensors.map((t) => ({ name: t.tensor, source: cmd.weights, shape: t.gotShape, expectedShape: t.expectedShape, result: t.result }));
  const shapeMismatch = rows.find((r) => !r.result.shapeOk);
  if (shapeMismatch !== undefined) {
    throw fail('E_EXPECTED_SHAPE', { what: `${shapeMismatch.name} of case ${c.name}`, expected: `shape ${formatShape(shapeMismatch.shape)} (the ${shapeMismatch.name} rnnport computed)`, got: `shape ${formatShape(shapeMismatch.expectedShape)}`, at: cmd.weights });
  }
  return report(rows, tol, d.dtype, io);
}

/** The table, the worst elements of failing tensors, the tolerance, and the failure line. */
function report(rows: readonly Row[], tol: Tolerance, dtype: string, io: Io): ExitCode {
  const failed = rows.filter((r) => !r.result.ok);
  io.stdout.write(
    `${table([
      ['tensor', 'shape', 'max abs err', 'max rel err', 'worst / tolerance', 'result'],
      ...rows.map((r) => [
        r.name,
        formatShape(r.shape),
        formatError(r.result.maxAbs),
        formatError(r.result.maxRel),
        formatRatio(r.result.worstOfTolerance),
        r.result.ok ? 'ok' : `FAIL (${r.result.mismatches} of ${numel(r.expectedShape)} elements)`,
      ]),
    ], '')}\n`,
  );
  for (const r of failed) {
    const w = r.result.worst;
    if (w !== undefined) io.stdout.write(`${r.name}[${w.index.join(', ')}]: got ${formatValue(w.got)}, expected ${formatValue(w.expected)} (${r.source})\n`);
  }
  const rule = `atol ${tol.atol} + rtol ${tol.rtol}·|expected|`;
  io.stdout.write(`tolerance: |got − expected| ≤ ${rule} (${dtype})\n`);
  if (failed.length === 0) return 0;
  io.stderr.write(
    failureLine('E_MISMATCH', {
      what: failed.map((r) => r.name).join(', '),
      expected: `every element within ${rule} of PyTorch's values`,
      got: failed.map((r) => `${r.result.mismatches} of ${numel(r.expectedShape)} elements of ${r.name} outside, the worst ${formatRatio(r.result.worstOfTolerance)} of its tolerance`).join('; '),
    }),
  );
  return 1;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
