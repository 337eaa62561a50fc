/**
 * The module API in one import for the rest of rnnport (src/index.ts, explain, the CLI):
 * the modules and cells, packed-sequence utilities, and state_dict discovery.
 */
export { PackedSequence, packPaddedSequence, packSequence, padPackedSequence, padSequence, type Lengths } from '../engine/packed.js';
export { listModules, type ModuleConfig, type ModuleInfo, type ModuleKind } from '../state-dict/infer.js';
export { fromStateDict, type RecurrentModule } from '../state-dict/from-state-dict.js';
export { GRUCell, LSTMCell, RNNCell, RNNCellBase, type CellResult, type LSTMCellResult } from './cells.js';
export type { FromStateDictOptions, StateDictLike } from './discover.js';
export { registerEngine, selectEngine } from './engine-select.js';
export type { CellOptions, CommonOptions, EngineChoice, GRUOptions, LSTMOptions, Nonlinearity, RNNCellOptions, RNNOptions } from './options.js';
export { GRU, LSTM, RNN, RNNBase, type LSTMResult, type RNNResult } from './rnn.js';
export type { Weights } from './weights.js';
export { RecurrentStream, type StreamOptions, type StreamState } from './stream.js';
