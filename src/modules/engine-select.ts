/**
 * Which engine runs a module. The reference engine is always present; a faster engine
 * registers itself here, and `engine: 'auto'` then prefers it.
 */
import { referenceEngine } from '../engine/reference.js';
import type { StackEngine } from '../engine/types.js';
import { fail } from '../errors.js';
import type { EngineChoice } from './options.js';

const engines: { reference: StackEngine; fast: StackEngine | null } = { reference: referenceEngine, fast: null };

/** Makes an engine available under its name (`fast`), replacing any previous one. */
export function registerEngine(engine: StackEngine): void {
  engines[engine.name] = engine;
}

/** The engine for a choice: `auto` = fast where registered, else the reference. */
export function selectEngine(choice: EngineChoice): StackEngine {
  if (choice === 'reference') return engines.reference;
  if (engines.fast !== null) return engines.fast;
  if (choice === 'auto') return engines.reference;
  throw fail('E_BAD_OPTION', { what: 'engine', expected: "'auto' or 'reference' (no fast engine is available)", got: "'fast'" });
}
