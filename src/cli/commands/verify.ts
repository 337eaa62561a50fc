/**
 * `rnnport verify`: runs like `run`, then compares with arrays saved from PyTorch using the rule
 * of docs/cli.md "Comparisons" (|got − exp| ≤ atol + rtol·|exp|). Prints per tensor the max abs
 * and rel errors and how close the worst element came to its tolerance; on a mismatch, the worst
 * element (the one furthest over its tolerance) with both values and one stderr line
 * `rnnport: E_MISMATCH: …`, exit 1. An expected array of another shape is E_EXPECTED_SHAPE.
 */
import { compareTensors, defaultTolerance, type CompareResult } from '../../compare.js';
import { fail } from '../../errors.js';
import { readNpyFile } from '../../node.js';
import { formatShape, type Tensor } from '../../tensor.js';
import { prepareRun, runPrepared } from '../forward.js';
import { resolvePath, type ExitCode, type Io } from '../io.js';
import type { VerifyCommand } from '../parse.js';
import { failureLine, formatError, formatRatio, formatValue, table } from '../render/text.js';

interface Row {
  readonly name: string;
  readonly file: string;
  readonly got: Tensor;
  readonly expected: Tensor;
  readonly result: CompareResult;
}

export async function verify(cmd: VerifyCommand, io: Io): Promise<ExitCode> {
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
    rows.push({ name, file, got, expected, result: compareTensors(got, expected, tol) });
  }
  const failed = rows.filter((r) => !r.result.ok);
  io.stdout.write(
    `${table([
      ['tensor', 'shape', 'max abs err', 'max rel err', 'worst / tolerance', 'result'],
      ...rows.map((r) => [
        r.name,
        formatShape(r.got.shape),
        formatError(r.result.maxAbs),
        formatError(r.result.maxRel),
        formatRatio(r.result.worstOfTolerance),
        r.result.ok ? 'ok' : `FAIL (${r.result.mismatches} of ${r.expected.numel} elements)`,
      ]),
    ], '')}\n`,
  );
  for (const r of failed) {
    const w = r.result.worst;
    if (w !== undefined) io.stdout.write(`${r.name}[${w.index.join(', ')}]: got ${formatValue(w.got)}, expected ${formatValue(w.expected)} (${r.file})\n`);
  }
  const rule = `atol ${tol.atol} + rtol ${tol.rtol}·|expected|`;
  io.stdout.write(`tolerance: |got − expected| ≤ ${rule} (${p.dtype})\n`);
  if (failed.length > 0) {
    io.stderr.write(
      failureLine('E_MISMATCH', {
        what: failed.map((r) => r.name).join(', '),
        expected: `every element within ${rule} of PyTorch's arrays`,
        got: failed.map((r) => `${r.result.mismatches} of ${r.expected.numel} elements of ${r.name} outside, the worst ${formatRatio(r.result.worstOfTolerance)} of its tolerance`).join('; '),
      }),
    );
    return 1;
  }
  return 0;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
