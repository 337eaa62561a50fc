/**
 * `rnnport run WEIGHTS --input X.npy --out DIR [...]`: the stable contract outside conformance
 * checks drive (docs/cli.md). Writes DIR/output.npy, DIR/h_n.npy and, for LSTM / LSTMCell,
 * DIR/c_n.npy: little-endian, in the compute dtype, shapes exactly as PyTorch returns them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ioError } from '../../node-files.js';
import { writeNpyFile } from '../../node.js';
import { formatShape, type Tensor } from '../../tensor.js';
import { prepareRun, runPrepared } from '../forward.js';
import { resolvePath, type ExitCode, type Io } from '../io.js';
import type { RunCommand } from '../parse.js';

export async function run(cmd: RunCommand, io: Io): Promise<ExitCode> {
  const p = prepareRun(io, cmd);
  const result = runPrepared(p);
  p.module.dispose();
  const dir = resolvePath(io, cmd.out);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError('--out', 'a directory rnnport can create', dir, e);
  }
  const written: [string, Tensor][] = [['output', result.output], ['h_n', result.hN], ...(result.cN === undefined ? [] : [['c_n', result.cN] as [string, Tensor]])];
  for (const [name, t] of written) writeNpyFile(join(dir, `${name}.npy`), t);
  io.stderr.write(`rnnport: wrote ${written.map(([name, t]) => `${name}.npy ${formatShape(t.shape)}`).join(', ')} (${p.dtype}) to ${cmd.out}\n`);
  return 0;
}
