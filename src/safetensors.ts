/**
 * `rnnport/safetensors`: the safetensors reader and writer alone, for pages that want the
 * smallest download. Importing it brings no pickle reader, zip/inflate code or engine
 * (scripts/bundle_check.mjs proves it with esbuild).
 *
 *   const sd = parseSafetensors(new Uint8Array(await file.arrayBuffer()));
 *
 * The modules take this state_dict as they take `loadStateDict`'s (`fromStateDict(sd)` from
 * `rnnport`).
 */
export { RNNPORT_ERROR_CODES, RnnportError, isRnnportError, type ErrorDetail, type RnnportErrorCode } from './errors.js';
export type { DType, FloatDType } from './dtype.js';
export { Tensor, tensor, type StateDict, type TensorInfo } from './tensor.js';
export { DEFAULT_LIMITS, type Limits } from './io/limits.js';
export { parseSafetensors, saveSafetensors } from './io/safetensors.js';
