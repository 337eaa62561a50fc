/**
 * `rnnport inspect WEIGHTS`: format, metadata, every tensor (name, dtype, shape, bytes) and every
 * recurrent module found, printed as the PyTorch constructor a user would write. Reads headers
 * only: modules are found from shapes (listModules takes TensorInfo), no tensor bytes are read.
 */
import { isRnnportError } from '../../errors.js';
import { formatConstructor } from '../../explain/facts.js';
import type { WeightsIndex } from '../../io/load.js';
import { groupModules, inferModule, type ModuleInfo } from '../../state-dict/infer.js';
import { formatShape } from '../../tensor.js';
import type { ExitCode, Io } from '../io.js';
import type { InspectCommand } from '../parse.js';
import { jsonDocument } from '../render/json.js';
import { formatBytes, table } from '../render/text.js';
import { openWeightsArg } from '../weights.js';

/** A module found, or why its configuration could not be read from the shapes. */
type Found = { readonly prefix: string; readonly info: ModuleInfo } | { readonly prefix: string; readonly error: { readonly code: string; readonly message: string } };

function findModules(index: WeightsIndex): Found[] {
  return groupModules(index.tensors.keys()).map((group) => {
    try {
      return { prefix: group.prefix, info: inferModule(group, index.tensors) };
    } catch (error) {
      if (!isRnnportError(error)) throw error;
      return { prefix: group.prefix, error: { code: error.code, message: error.message } };
    }
  });
}

function pytorch(info: ModuleInfo): string {
  return formatConstructor({ kind: info.kind, ...info.config });
}

export async function inspect(cmd: InspectCommand, io: Io): Promise<ExitCode> {
  const index = openWeightsArg(io, cmd.weights, cmd.key);
  const modules = findModules(index);
  const tensors = [...index.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape], bytes: t.byteLength }));
  if (cmd.json) {
    io.stdout.write(
      jsonDocument({
        file: cmd.weights,
        format: index.format,
        metadata: index.metadata,
        ...(index.stateDictKeys !== undefined && { stateDictKeys: index.stateDictKeys, key: index.key ?? null }),
        tensors,
        modules: modules.map((m) => ('info' in m ? { ...m.info, pytorch: pytorch(m.info) } : m)),
      }),
    );
    return 0;
  }
  const total = tensors.reduce((sum, t) => sum + t.bytes, 0);
  const lines = [`${cmd.weights}: ${index.format}, ${tensors.length} tensor(s), ${formatBytes(total)}`];
  const metadata = Object.entries(index.metadata);
  if (metadata.length > 0) lines.push('', 'metadata', table(metadata.map(([k, v]) => [k, v])));
  if (index.stateDictKeys !== undefined) {
    lines.push('', 'state_dicts (--key)', table(index.stateDictKeys.map((k) => [k === '' ? '(top level)' : k, k === (index.key ?? '') ? 'used' : ''])));
  }
  lines.push('', 'tensors', table(tensors.map((t) => [t.name, t.dtype, formatShape(t.shape), formatBytes(t.bytes)])));
  lines.push('', 'modules');
  if (modules.length === 0) lines.push('  none (no weight_ih_l0 / weight_ih keys)');
  else lines.push(table(modules.map((m) => [m.prefix === '' ? '(root)' : m.prefix, 'info' in m ? pytorch(m.info) : `cannot infer: ${m.error.code}: ${m.error.message}`])));
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
