/**
 * WEIGHTS on the command line → the one recurrent module the user means: open the file or
 * directory (headers only), pick the nested state_dict (`--key`, .pt) and the module
 * (`--prefix`): `--key` is a dot path through nested dicts; without it a top-level state_dict
 * is used, else the only nested one holding recurrent modules (stderr names it). Tensor bytes
 * are read only for the chosen module's parameters. `--max-bytes` reaches the loaders through
 * `io.limits`.
 */
import { escapeControl } from '../errors.js';
import type { LoadOptions, WeightsIndex } from '../io/load.js';
import type { ModuleInfo } from '../modules/index.js';
import { openStateDict } from '../node.js';
import { resolveModule } from '../state-dict/select.js';
import { resolvePath, type Io } from './io.js';

export interface FoundModule {
  readonly index: WeightsIndex;
  readonly info: ModuleInfo;
}

/** Opens WEIGHTS (headers only) and says on stderr which nested .pt state_dict was chosen without --key. */
export function openWeightsArg(io: Io, weights: string, key: string | undefined, options: Pick<LoadOptions, 'whenAmbiguous'> = {}): WeightsIndex {
  const index = openStateDict(resolvePath(io, weights), {
    ...options,
    ...(key !== undefined && { key }),
    ...(io.limits !== undefined && { limits: io.limits }),
  });
  if (key === undefined && index.key !== undefined && index.key !== '') {
    io.stderr.write(`rnnport: using the state_dict at key "${escapeControl(index.key)}" of ${escapeControl(weights)} (choose another with --key)\n`);
  }
  return index;
}

/** The module `prefix` selects in WEIGHTS (E_NO_MODULE / E_AMBIGUOUS_MODULE otherwise). */
export function findModule(io: Io, weights: string, key: string | undefined, prefix: string | undefined): FoundModule {
  const index = openWeightsArg(io, weights, key);
  return { index, info: resolveModule(index.tensors, prefix) };
}
