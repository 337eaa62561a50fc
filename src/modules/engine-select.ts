/**
 * Which engine runs a module, chosen per module by its `engine` and `simd` options: the reference
 * engine always exists; `auto` takes the fast WebAssembly engine wherever the runtime has SIMD128
 * (and its kernels compile), else the reference. Nothing here is global: each call answers from
 * the options alone. Only the module classes import this file, so a page that imports `explain`
 * or the loaders alone does not bundle the kernels.
 */
import type { EngineChoice, SimdOption } from '../config.js';
import { referenceEngine } from '../engine/reference.js';
import type { Engine } from '../engine/types.js';
import { fail } from '../errors.js';
import { createFastEngine, fastEngineAvailable } from '../fast/engine.js';

/**
 * The engine for a choice: `reference`, `fast` (E_BAD_OPTION where the runtime cannot run it), or
 * `auto`. `simd` other than `auto` asks for that kernel build of the fast engine (E_BAD_OPTION
 * where the runtime cannot run it); the reference engine has none and ignores it.
 */
export function selectEngine(choice: EngineChoice, simd: SimdOption): Engine {
  if (choice === 'reference') return referenceEngine;
  if (fastEngineAvailable(simd)) return createFastEngine({ simd });
  if (choice === 'auto' && simd === 'auto') return referenceEngine;
  // createFastEngine names what the runtime lacks (SIMD128, or relaxed SIMD)
  if (simd !== 'auto') return createFastEngine({ simd });
  throw fail('E_BAD_OPTION', { what: 'engine', expected: "'auto' or 'reference' (this runtime cannot run the WebAssembly engine)", got: "'fast'" });
}
