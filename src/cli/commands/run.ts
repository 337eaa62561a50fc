/**
 * `rnnport run WEIGHTS --input X.npy --out DIR [...]`: the stable contract outside conformance
 * checks drive (issue 5). Writes DIR/output.npy, DIR/h_n.npy and, for LSTM / LSTMCell,
 * DIR/c_n.npy: little-endian, in the compute dtype, shapes exactly as PyTorch returns them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RnnportError } from '../../errors.js';
import { writeNpyFile } from '../../node.js';
import { formatShape } from '../../tensor.js';
import { forward, prepare } from '../forward.js';
import { resolvePath, type ExitCode, type Io } from '../io.js';
import type { RunCommand } from '../parse.js';

export async function run(cmd: RunCommand, io: Io): Promise<ExitCode> {
  const p = prepare(io, cmd);
  const result = forward(p);
  p.module.dispose();
  const dir = resolvePath(io, cmd.out);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RnnportError('E_IO', { what: '--out', expected: 'a directory rnnport can create', got: String((e as { code?: unknown }).code ?? e), at: dir }, { cause: e });
  }
  writeNpyFile(join(dir, 'output.npy'), result.output);
  writeNpyFile(join(dir, 'h_n.npy'), result.hN);
  if (result.cN !== null) writeNpyFile(join(dir, 'c_n.npy'), result.cN);
  const written = [['output', result.output], ['h_n', result.hN], ...(result.cN === null ? [] : [['c_n', result.cN] as const])] as const;
  io.stderr.write(`rnnport: wrote ${written.map(([name, t]) => `${name}.npy ${formatShape(t.shape)}`).join(', ')} (${p.dtype}) to ${cmd.out}\n`);
  return 0;
}
