/**
 * `rnnport verify`: runs like `run`, then compares with arrays saved from PyTorch using the rule
 * of docs/cli.md "Comparisons" (|got − exp| ≤ atol + rtol·|exp|). Prints max abs / rel
 * error per tensor and, on failure, the worst index with both values; exit 1 on mismatch.
 */
import { compareTensors, defaultTolerance, type CompareResult } from '../../compare.js';
import { fail } from '../../errors.js';
import { readNpyFile } from '../../node.js';
import { formatShape, type Tensor } from '../../tensor.js';
import { prepareRun, runPrepared } from '../forward.js';
import { resolvePath, type ExitCode, type Io } from '../io.js';
import type { VerifyCommand } from '../parse.js';
import { formatError, formatValue, table } from '../render/text.js';

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
    rows.push({ name, file, got, expected, result: compareTensors(got, expected, tol) });
  }
  const failed = rows.filter((r) => !r.result.ok);
  io.stdout.write(
    `${table([
      ['tensor', 'shape', 'max abs err', 'max rel err', 'result'],
      ...rows.map((r) => [
        r.name,
        formatShape(r.got.shape),
        formatError(r.result.maxAbs),
        formatError(r.result.maxRel),
        r.result.ok ? 'ok' : r.result.shapeOk ? `FAIL (${r.result.mismatches} of ${r.expected.numel} elements)` : `FAIL (expected shape ${formatShape(r.expected.shape)})`,
      ]),
    ], '')}\n`,
  );
  for (const r of failed) {
    const w = r.result.worst;
    if (w !== undefined) io.stdout.write(`${r.name}[${w.index.join(', ')}]: got ${formatValue(w.got)}, expected ${formatValue(w.expected)} (${r.file})\n`);
  }
  io.stdout.write(`tolerance: atol ${tol.atol}, rtol ${tol.rtol} (${p.dtype})\n`);
  if (failed.length > 0) {
    io.stderr.write(`rnnport: verify: ${failed.map((r) => r.name).join(', ')} differ from PyTorch's arrays beyond the tolerance\n`);
    return 1;
  }
  return 0;
}
