/**
 * `rnnport export WEIGHTS --onnx OUT.onnx`: the module WEIGHTS holds as an ONNX model with
 * PyTorch's inputs, outputs and numbers (rnnport/onnx `toOnnx`, docs/onnx.md): graph input
 * `input`, `h0` / `c0` with --state, `lengths` (int64, any order) with --packed; outputs `output`,
 * `h_n` and, for an LSTM, `c_n`. What ONNX Runtime cannot compute exactly is E_EXPORT_UNSUPPORTED.
 */
import { toOnnx } from '../../onnx.js';
import { formatConstructor } from '../../config.js';
import { writeOutputFile, type ExitCode, type Io } from '../io.js';
import type { ExportCommand } from '../parse.js';
import { findModule } from '../weights.js';

export async function exportCommand(cmd: ExportCommand, io: Io): Promise<ExitCode> {
  const { index, info } = findModule(io, cmd.weights, cmd.key, cmd.prefix);
  const model = toOnnx(index.load(info.parameters), {
    prefix: info.prefix,
    ...(cmd.nonlinearity !== undefined && { nonlinearity: cmd.nonlinearity }),
    ...(cmd.dtype !== undefined && { dtype: cmd.dtype }),
    ...(cmd.batchFirst && { batchFirst: true }),
    state: cmd.state,
    packed: cmd.packed,
    unbatched: cmd.unbatched,
    ...(cmd.opset !== undefined && { opset: cmd.opset }),
  });
  writeOutputFile(io, cmd.onnx, model);
  const inputs = ['input', ...(cmd.state ? (info.kind === 'LSTM' || info.kind === 'LSTMCell' ? ['h0', 'c0'] : ['h0']) : []), ...(cmd.packed ? ['lengths'] : [])];
  io.stderr.write(`rnnport: wrote ${cmd.onnx} (${formatConstructor({ kind: info.kind, ...info.config })}; inputs ${inputs.join(', ')}; ${model.byteLength} bytes)\n`);
  return 0;
}
