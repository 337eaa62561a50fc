/**
 * Choosing one module of a state_dict by prefix (docs/cli.md, "Choosing the weights"):
 * `encoder.rnn` ≡ `encoder.rnn.`; matching stops at a dot boundary (never `encoder.rnn2.`);
 * a parent prefix holding exactly one module selects it; the root module is chosen by '' or
 * by default when it is the only one. Several candidates: E_AMBIGUOUS_MODULE listing them.
 */
import { fail } from '../errors.js';
import type { Tensor, TensorInfo } from '../tensor.js';
import { groupModules, inferModule, type ModuleGroup, type ModuleInfo } from './infer.js';
import { displayPrefix, normalizePrefix } from './names.js';

/** The group a prefix selects among `groups`; throws E_NO_MODULE / E_AMBIGUOUS_MODULE. */
export function selectGroup(groups: readonly ModuleGroup[], prefix?: string): ModuleGroup {
  const wanted = prefix === undefined ? undefined : normalizePrefix(prefix);
  const exact = wanted === undefined ? [] : groups.filter((g) => g.prefix === wanted);
  const candidates = exact.length > 0 ? exact : groups.filter((g) => wanted === undefined || g.prefix.startsWith(wanted));
  const list = groups.map((g) => displayPrefix(g.prefix)).join(', ');
  if (candidates.length === 0) {
    throw fail('E_NO_MODULE', {
      what: wanted === undefined ? 'recurrent modules' : `modules under prefix ${JSON.stringify(wanted)}`,
      expected: 'an nn.RNN / GRU / LSTM or cell (weight_ih_l0 / weight_ih keys)',
      got: groups.length === 0 ? 'none in this state_dict' : `none there; modules: ${list}`,
    });
  }
  if (candidates.length > 1) {
    throw fail('E_AMBIGUOUS_MODULE', {
      what: wanted === undefined ? 'module' : `module under prefix ${JSON.stringify(wanted)}`,
      expected: 'one module: choose one with a prefix',
      got: `${candidates.length}: ${candidates.map((g) => displayPrefix(g.prefix)).join(', ')}`,
    });
  }
  return candidates[0] as ModuleGroup;
}

/** Selects a module by prefix and infers its configuration. */
export function resolveModule(infos: ReadonlyMap<string, TensorInfo | Tensor>, prefix?: string): ModuleInfo {
  return inferModule(selectGroup(groupModules(infos.keys()), prefix), infos);
}
