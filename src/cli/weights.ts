/**
 * WEIGHTS on the command line → the one recurrent module the user means: open the file or
 * directory (headers only), pick the nested state_dict (`--key`, .pt) and the module
 * (`--prefix`), as ../shared/CONTRACTS.md "CLI" settles. Tensor bytes are read only for the
 * chosen module's parameters.
 */
import type { WeightsIndex } from '../io/load.js';
import type { ModuleInfo } from '../modules/index.js';
import { openStateDict } from '../node.js';
import { resolveModule } from '../state-dict/select.js';
import { resolvePath, type Io } from './io.js';

export interface FoundModule {
  readonly index: WeightsIndex;
  readonly info: ModuleInfo;
}

/** Opens WEIGHTS (headers only) and says on stderr which nested .pt state_dict was chosen without --key. */
export function openWeightsArg(io: Io, weights: string, key: string | undefined): WeightsIndex {
  const index = openStateDict(resolvePath(io, weights), key === undefined ? {} : { key });
  if (key === undefined && index.key !== undefined && index.key !== '') {
    io.stderr.write(`rnnport: using the state_dict at key "${index.key}" of ${weights} (choose another with --key)\n`);
  }
  return index;
}

/** The module `prefix` selects in WEIGHTS (E_NO_MODULE / E_AMBIGUOUS_MODULE otherwise). */
export function findModule(io: Io, weights: string, key: string | undefined, prefix: string | undefined): FoundModule {
  const index = openWeightsArg(io, weights, key);
  return { index, info: resolveModule(index.tensors, prefix) };
}
