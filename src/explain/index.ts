/**
 * explain in one import for src/index.ts and the browser page: config → facts (checked on a
 * run) → text or SVG. Browser-safe.
 */
export { explain, type ExplainCheck, type ExplainOptions, type Explanation } from './explain.js';
export type { EqualityFact, ExplainConfig, ExplainFacts, ExplainModuleConfig, IndexEntry, ResolvedConfig, ShapeFact, SliceRef, StateFact, TensorName } from './facts.js';
export { explainSvg } from './svg.js';
export { explainText } from './text.js';
