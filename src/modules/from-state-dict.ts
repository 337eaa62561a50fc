/**
 * `fromStateDict`: find the recurrent module in a state_dict (by prefix when there are several),
 * read its kind and configuration from the shapes once, and build it.
 */
import { MODULE_KINDS, type ModuleKind } from '../config.js';
import { fail } from '../errors.js';
import type { ModuleInfo } from '../state-dict/infer.js';
import { resolveModule } from '../state-dict/select.js';
import { GRUCell, LSTMCell, RNNCell } from './cells.js';
import { checkFromStateDictArgs, optionsFromInfo, type FromStateDictOptions, type StateDictLike } from './discover.js';
import { GRU, LSTM, RNN } from './rnn.js';

/** The module class of each kind. */
export interface ModuleByKind {
  RNN: RNN;
  GRU: GRU;
  LSTM: LSTM;
  RNNCell: RNNCell;
  GRUCell: GRUCell;
  LSTMCell: LSTMCell;
}

/** Any recurrent module rnnport builds; `forward` can be called on the union (see Note [one forward signature]). */
export type RecurrentModule = ModuleByKind[ModuleKind];

const CLASSES = { RNN, GRU, LSTM, RNNCell, GRUCell, LSTMCell } as const;

/**
 * Builds the module `info` describes (found by `listModules` / `resolveModule` on the same
 * state_dict, or on its header before the tensors were read) without inferring it again.
 */
export function moduleFromInfo(info: ModuleInfo, sd: StateDictLike, options: FromStateDictOptions = {}): RecurrentModule {
  const kind = options.kind ?? info.kind;
  if (!MODULE_KINDS.includes(kind)) throw fail('E_BAD_OPTION', { what: 'fromStateDict options.kind', expected: MODULE_KINDS.join(' | '), got: String(kind) });
  return new CLASSES[kind](optionsFromInfo(kind, info, options), sd);
}

/**
 * Builds the module a state_dict holds, inferring RNN / GRU / LSTM or a cell from its shapes.
 * Several modules: pass `prefix` (else E_AMBIGUOUS_MODULE lists them). With `kind`, the module
 * must be of that kind and the result has its type.
 * @see torch.nn.Module.load_state_dict
 * @example const lstm = fromStateDict(sd, { prefix: 'encoder.rnn', kind: 'LSTM' });
 */
export function fromStateDict<K extends ModuleKind>(sd: StateDictLike, options: FromStateDictOptions & { readonly kind: K }): ModuleByKind[K];
export function fromStateDict(sd: StateDictLike, options?: FromStateDictOptions): RecurrentModule;
export function fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): RecurrentModule {
  checkFromStateDictArgs('fromStateDict', sd, options);
  return moduleFromInfo(resolveModule(sd, options.prefix), sd, options);
}
