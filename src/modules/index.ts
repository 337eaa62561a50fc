/**
 * The module API in one import for the rest of rnnport (src/index.ts, the CLI, the golden runner):
 * the modules and cells, the layers around them (Embedding, Linear, LayerNorm), packed-sequence
 * utilities, state_dict discovery and `runModule`.
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
export { Embedding, type EmbeddingFromStateDictOptions, type EmbeddingLookupOptions, type EmbeddingOptions } from './layers/embedding.js';
export { Linear, type LinearFromStateDictOptions, type LinearOptions } from './layers/linear.js';
export { LayerNorm, type LayerNormFromStateDictOptions, type LayerNormOptions } from './layers/layer-norm.js';
export type { LayerBase, LayerCommonOptions } from './layers/base.js';
export type { Indices, NestedIndices } from './layers/indices.js';
export { formatLayer, layerRows, listLayers, type LayerCandidate, type LayerInfo, type LayerRow } from '../state-dict/layers.js';
