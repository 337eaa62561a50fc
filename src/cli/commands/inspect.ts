/**
 * `rnnport inspect WEIGHTS`: format, metadata, every tensor (name, dtype, shape, bytes) and every
 * recurrent module found, printed as the PyTorch constructor a user would write. Reads headers
 * only: modules are found from shapes (listModules takes TensorInfo), no tensor bytes are read.
 *
 * A .pt checkpoint that nests state_dicts (`model`, `ema`) lists every one with its `--key` path,
 * its tensors and its modules; inspect never fails because several hold modules. Everything
 * printed that comes from the file is escaped (render/text.ts, render/json.ts).
 */
import { escapeControl, isRnnportError } from '../../errors.js';
import { formatConstructor } from '../../config.js';
import type { TensorEntry } from '../../io/load.js';
import { groupModules, inferModule, type ModuleInfo } from '../../state-dict/infer.js';
import { formatShape } from '../../tensor.js';
import type { ExitCode, Io } from '../io.js';
import type { InspectCommand } from '../parse.js';
import { jsonDocument } from '../render/json.js';
import { formatBytes, table } from '../render/text.js';
import { openWeightsArg } from '../weights.js';
import { layerRows, type LayerRow } from '../../state-dict/layers.js';

/** A module found, or why its configuration could not be read from the shapes. */
type Found = { readonly prefix: string; readonly info: ModuleInfo } | { readonly prefix: string; readonly error: { readonly code: string; readonly message: string } };

/** One state_dict as inspect shows it: `key` is its --key path (undefined for a flat file). */
interface Listing {
  readonly key: string | undefined;
  readonly tensors: { name: string; dtype: string; shape: number[]; bytes: number }[];
  readonly modules: Found[];
  /** Embedding / Linear / LayerNorm found beside the recurrent modules (state-dict/layers.ts). */
  readonly layers: LayerRow[];
}

function findModules(tensors: ReadonlyMap<string, TensorEntry>): Found[] {
  return groupModules(tensors.keys()).map((group) => {
    try {
      return { prefix: group.prefix, info: inferModule(group, tensors) };
    } catch (error) {
      if (!isRnnportError(error)) throw error;
      return { prefix: group.prefix, error: { code: error.code, message: error.message } };
    }
  });
}

function listing(key: string | undefined, tensors: ReadonlyMap<string, TensorEntry>): Listing {
  return {
    key,
    tensors: [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape], bytes: t.byteLength })),
    modules: findModules(tensors),
    layers: layerRows(tensors),
  };
}

function pytorch(info: ModuleInfo): string {
  return formatConstructor({ kind: info.kind, ...info.config });
}

const moduleJson = (m: Found): object => ('info' in m ? { ...m.info, pytorch: pytorch(m.info) } : m);
const keyLabel = (key: string): string => (key === '' ? '(top level)' : key);

export async function inspect(cmd: InspectCommand, io: Io): Promise<ExitCode> {
  const index = openWeightsArg(io, cmd.weights, cmd.key, { whenAmbiguous: 'open' });
  const chosen = listing(index.key, index.tensors);
  const nested = index.stateDicts?.map((d) => (d.key === index.key ? chosen : listing(d.key, d.tensors)));
  if (cmd.json) {
    io.stdout.write(
      jsonDocument({
        file: cmd.weights,
        format: index.format,
        metadata: index.metadata,
        ...(index.stateDictKeys !== undefined && { stateDictKeys: index.stateDictKeys, key: index.key ?? null }),
        ...(nested !== undefined && { stateDicts: nested.map((d) => ({ key: d.key, tensors: d.tensors, modules: d.modules.map(moduleJson), layers: d.layers })) }),
        tensors: chosen.tensors,
        modules: chosen.modules.map(moduleJson),
        layers: chosen.layers,
      }),
    );
    return 0;
  }
  const all = nested ?? [chosen];
  const count = all.reduce((n, d) => n + d.tensors.length, 0);
  const total = all.reduce((n, d) => n + d.tensors.reduce((sum, t) => sum + t.bytes, 0), 0);
  const dicts = nested === undefined ? '' : `${nested.length} state_dict(s), `;
  const lines = [escapeControl(`${cmd.weights}: ${index.format}, ${dicts}${count} tensor(s), ${formatBytes(total)}`)];
  const metadata = Object.entries(index.metadata);
  if (metadata.length > 0) lines.push('', 'metadata', table(metadata.map(([k, v]) => [k, v])));
  if (nested !== undefined) {
    const none = index.key === undefined ? ['', '(several hold recurrent modules: choose one with --key)'] : [];
    lines.push('', 'state_dicts (--key)', table(nested.map((d) => [keyLabel(d.key as string), `${d.tensors.length} tensor(s)`, `${d.modules.length} module(s)`, d.key === index.key ? 'used' : ''])));
    if (none.length > 0) lines.push(...none);
  }
  // A nested checkpoint's rows start with the --key path of their state_dict.
  const keyed = (d: Listing, row: string[]): string[] => (nested === undefined ? row : [keyLabel(d.key as string), ...row]);
  lines.push('', 'tensors', table(all.flatMap((d) => d.tensors.map((t) => keyed(d, [t.name, t.dtype, formatShape(t.shape), formatBytes(t.bytes)])))));
  lines.push('', 'modules');
  const modules = all.flatMap((d) => d.modules.map((m) => keyed(d, [m.prefix === '' ? '(root)' : m.prefix, 'info' in m ? pytorch(m.info) : `cannot infer: ${m.error.code}: ${m.error.message}`])));
  if (modules.length === 0) lines.push('  none (no weight_ih_l0 / weight_ih keys)');
  else lines.push(table(modules));
  const layers = all.flatMap((d) => d.layers.map((l) => keyed(d, [l.prefix === '' ? '(root)' : l.prefix, l.pytorch])));
  if (layers.length > 0) lines.push('', 'layers around them (from shapes: a 2-d weight alone is an Embedding or a Linear without bias)', table(layers));
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
