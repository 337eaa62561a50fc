/**
 * rnnport: run PyTorch nn.RNN / nn.GRU / nn.LSTM weights (and the nn.Embedding, nn.Linear and
 * nn.LayerNorm around them) in JavaScript with PyTorch's numbers.
 * Explicit named exports only (the list is snapshot-tested).
 */
export { RNNPORT_ERROR_CODES, RnnportError, isRnnportError, type ErrorDetail, type RnnportErrorCode } from './errors.js';
export type { DType, FloatDType } from './dtype.js';
export type {
  EmbeddingConfig,
  EngineChoice,
  Family,
  LayerKind,
  LayerNormConfig,
  LinearConfig,
  Mode,
  ModuleConfig,
  ModuleKind,
  Nonlinearity,
  SimdOption,
} from './config.js';
export { Tensor, tensor, type StateDict, type TensorInfo } from './tensor.js';
export { loadStateDict, loadStateDictSync, openWeights, type LoadOptions, type TensorEntry, type WeightsFormat, type WeightsIndex, type WeightsInput } from './io/load.js';
export { DEFAULT_LIMITS, type Limits } from './io/limits.js';
export { bytesSource, type ByteSource } from './io/source.js';
export { parseSafetensors, saveSafetensors } from './io/safetensors.js';
export { parseNpy, saveNpy } from './io/npy.js';
export { saveNpz } from './io/npz.js';
export {
  fromStateDict,
  listModules,
  RNN,
  GRU,
  LSTM,
  RNNCell,
  GRUCell,
  LSTMCell,
  RNNBase,
  RNNCellBase,
  PackedSequence,
  packPaddedSequence,
  padPackedSequence,
  packSequence,
  padSequence,
  type CellOptions,
  type CellResult,
  type CommonOptions,
  type ForwardResult,
  type FromStateDictOptions,
  type GRUOptions,
  type Lengths,
  type LSTMCellResult,
  type LSTMOptions,
  type LSTMResult,
  type Hx,
  type ModuleByKind,
  type ModuleInfo,
  type RecurrentModule,
  type RNNCellOptions,
  type RNNOptions,
  type RNNResult,
  type StateDictLike,
  type Weights,
  runModule,
  type RunInputs,
  type RunOutputs,
  type Runnable,
  Embedding,
  Linear,
  LayerNorm,
  listLayers,
  type EmbeddingFromStateDictOptions,
  type EmbeddingLookupOptions,
  type EmbeddingOptions,
  type Indices,
  type LayerBase,
  type LayerCandidate,
  type LayerCommonOptions,
  type LayerInfo,
  type LayerNormFromStateDictOptions,
  type LayerNormOptions,
  type LinearFromStateDictOptions,
  type LinearOptions,
  type NestedIndices,
} from './modules/index.js';
export { explain, explainSvg, type Explanation, type ExplainConfig, type ExplainOptions } from './explain/index.js';
export { compareTensors, defaultTolerance, type CompareResult, type Tolerance, type WorstElement } from './compare.js';
export { RecurrentStream, type StreamOptions, type StreamState } from './modules/index.js';
export { initFastEngine } from './fast/engine.js';
export { CASE_METADATA_KEY, loadCase, saveCase, type Case, type CaseDescription } from './conformance/case.js';
export {
  checkImplementation,
  rnnportImplementation,
  runCase,
  unsupported,
  type CaseOutcome,
  type Implementation,
  type RunRequest,
} from './conformance/implementation.js';
export {
  GOLDEN_FORMATS,
  expressGolden,
  runGoldenSpec,
  type AnyGoldenSpec,
  type GoldenFiles,
  type GoldenFormat,
  type GoldenInput,
  type GoldenResult,
  type GoldenSpec,
  type LayerGoldenSpec,
  type RunGoldenOptions,
  type TensorComparison,
} from './conformance/golden.js';
