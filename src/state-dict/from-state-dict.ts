/**
 * `fromStateDict`: find the recurrent module in a state_dict (by prefix when there are several),
 * read its kind and configuration from the shapes, and build it.
 */
import { GRUCell, LSTMCell, RNNCell } from '../modules/cells.js';
import type { FromStateDictOptions, StateDictLike } from '../modules/discover.js';
import { GRU, LSTM, RNN } from '../modules/rnn.js';
import { resolveModule } from './select.js';

/** Any recurrent module rnnport builds. */
export type RecurrentModule = RNN | GRU | LSTM | RNNCell | GRUCell | LSTMCell;

/**
 * Builds the module a state_dict holds, inferring RNN / GRU / LSTM or a cell from its shapes.
 * Several modules: pass `prefix` (else E_AMBIGUOUS_MODULE lists them).
 * @see torch.nn.Module.load_state_dict
 */
export function fromStateDict(sd: StateDictLike, options: FromStateDictOptions = {}): RecurrentModule {
  const { prefix, kind } = resolveModule(sd, options.prefix);
  const exact = { ...options, prefix };
  switch (kind) {
    case 'RNN':
      return RNN.fromStateDict(sd, exact);
    case 'GRU':
      return GRU.fromStateDict(sd, exact);
    case 'LSTM':
      return LSTM.fromStateDict(sd, exact);
    case 'RNNCell':
      return RNNCell.fromStateDict(sd, exact);
    case 'GRUCell':
      return GRUCell.fromStateDict(sd, exact);
    case 'LSTMCell':
      return LSTMCell.fromStateDict(sd, exact);
  }
}
