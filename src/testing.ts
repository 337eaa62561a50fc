/**
 * `rnnport/testing`: property-based checks of a port of PyTorch's recurrent layers, with rnnport's
 * reference engine as the oracle (docs/testing.md). fast-check is an optional peer dependency:
 * install it to use this entry. The core never imports it.
 */
export { caseArb, caseConfigArb, describeConfig, requestOf, stateDictArb, type CaseConfig, type CaseConstraints } from './testing/arbitraries.js';
export { checkAgainstReference, expectClose, type CheckOptions } from './testing/check.js';
export { checkImplementation, rnnportImplementation, unsupported, type CaseOutcome, type Implementation, type RunRequest } from './conformance/implementation.js';
