/**
 * The module API in one import for the rest of rnnport (src/index.ts, the CLI, the golden runner):
 * the modules and cells, packed-sequence utilities, state_dict discovery and `runModule`.
 */
export { PackedSequence, packPaddedSequence, packSequence, padPackedSequence, padSequence, type Lengths } from '../engine/packed.js';
export { listModules, type ModuleInfo } from '../state-dict/infer.js';
export { resolveModule } from '../state-dict/select.js';
export { fromStateDict, moduleFromInfo, type ModuleByKind, type RecurrentModule } from './from-state-dict.js';
export { GRUCell, LSTMCell, RNNCell, RNNCellBase, type CellResult, type LSTMCellResult } from './cells.js';
export type { FromStateDictOptions, StateDictLike } from './discover.js';
export type { ForwardResult, Hx } from './forward.js';
export type { CellOptions, CommonOptions, GRUOptions, LSTMOptions, RNNCellOptions, RNNOptions } from './options.js';
export { GRU, LSTM, RNN, RNNBase, type LSTMResult, type RNNResult } from './rnn.js';
export { runModule, type RunInputs, type RunOutputs, type Runnable } from './run.js';
export type { Weights } from './weights.js';
export { RecurrentStream, type StreamOptions, type StreamState } from './stream.js';
