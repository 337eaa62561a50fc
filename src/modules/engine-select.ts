/**
 * Which engine runs a module. The reference engine is always present; the fast WASM engine is
 * the default wherever the runtime has SIMD128 (or another one registers itself here), and
 * `engine: 'auto'` then prefers it.
 */
import { referenceEngine } from '../engine/reference.js';
import type { StackEngine } from '../engine/types.js';
import { fail } from '../errors.js';
import { createFastEngine, fastEngineAvailable } from '../fast/engine.js';
import type { SimdOption } from '../fast/wasm.js';
import type { EngineChoice } from './options.js';

/** `fast`: null until registered or first available (SIMD128, kernels compiled: see initFastEngine). */
const engines: { reference: StackEngine; fast: StackEngine | null } = { reference: referenceEngine, fast: null };

function fastEngine(simd: SimdOption): StackEngine | null {
  if (simd !== 'auto') return createFastEngine({ simd });
  if (engines.fast === null && fastEngineAvailable()) engines.fast = createFastEngine();
  return engines.fast;
}

/** Makes an engine available under its name (`fast`), replacing any previous one. */
export function registerEngine(engine: StackEngine): void {
  engines[engine.name] = engine;
}

/**
 * The engine for a choice: `auto` = fast where available, else the reference. `simd` other than
 * `auto` asks for that kernel build (E_BAD_OPTION where the runtime cannot run it).
 */
export function selectEngine(choice: EngineChoice, simd: SimdOption = 'auto'): StackEngine {
  if (choice === 'reference') return engines.reference;
  const fast = fastEngine(simd);
  if (fast !== null) return fast;
  if (choice === 'auto') return engines.reference;
  throw fail('E_BAD_OPTION', { what: 'engine', expected: "'auto' or 'reference' (no fast engine is available)", got: "'fast'" });
}
