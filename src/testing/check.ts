/**
 * `checkAgainstReference(impl)`: a fast-check property that runs a port (any `Implementation`)
 * and rnnport's reference engine — the oracle for PyTorch's semantics — on arbitrary cases, and
 * on failure reports the shrunk configuration, how to replay it (seed and path), the worst
 * element, and writes the counterexample as a case file that `python rnnport_capture.py check`
 * can confirm in PyTorch. `expectClose` is the tolerance rule as an assertion.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { compareTensors, defaultTolerance, type Tolerance } from '../compare.js';
import { familyOf, isCell } from '../config.js';
import { saveCase, type Case } from '../conformance/case.js';
import { rnnportImplementation, type Implementation, type RunRequest } from '../conformance/implementation.js';
import { isRnnportError } from '../errors.js';
import type { RunOutputs } from '../modules/index.js';
import { formatShape, type Tensor } from '../tensor.js';
import { caseArb, describeConfig, requestOf, type CaseConfig, type CaseConstraints } from './arbitraries.js';

/**
 * Throws when `actual` and `expected` differ in shape or any element exceeds
 * |actual − expected| ≤ atol + rtol·|expected|, naming the worst element with both values.
 * @defaultValue tolerance: the dtype's default (1e-5 + 1e-4·|expected| for float32)
 */
export function expectClose(actual: Tensor, expected: Tensor, tolerance?: Partial<Tolerance>, what = 'tensor'): void {
  const tol = { ...defaultTolerance(expected.dtype), ...tolerance };
  const r = compareTensors(actual, expected, tol);
  if (r.ok) return;
  if (!r.shapeOk) throw new Error(`${what}: expected shape ${formatShape(expected.shape)}, got ${formatShape(actual.shape)}`);
  const w = r.worst;
  const at = w === undefined ? '' : ` ${what}[${w.index.join(', ')}]: got ${w.got}, expected ${w.expected}.`;
  throw new Error(`${what}: ${r.mismatches} of ${expected.numel} element(s) outside atol ${tol.atol} + rtol ${tol.rtol}·|expected| (max abs error ${r.maxAbs}).${at}`);
}

/** Options of `checkAgainstReference`: which cases, how many, and where a counterexample goes. */
export interface CheckOptions extends CaseConstraints {
  /** @defaultValue 100 */
  readonly numRuns?: number;
  /** Replay: the seed and path a failure printed. */
  readonly seed?: number;
  readonly path?: string;
  /** @defaultValue the dtype's default tolerance */
  readonly tolerance?: Tolerance;
  /** Where the counterexample's case file is written, or false for nowhere. @defaultValue 'rnnport-counterexample.safetensors' */
  readonly counterexample?: string | false;
}

/** The difference found on one case, as a sentence; null when the port agrees (or does not support it). */
async function difference(impl: Implementation, request: RunRequest, expected: RunOutputs, tolerance: Tolerance | undefined): Promise<string | null> {
  let got: RunOutputs;
  try {
    got = await impl(request);
  } catch (e) {
    if (isRnnportError(e) && e.code === 'E_UNSUPPORTED') return null;
    return `the implementation threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  for (const [name, a, b] of [['output', got.output, expected.output], ['h_n', got.hN, expected.hN], ['c_n', got.cN, expected.cN]] as const) {
    if (b === undefined) continue;
    if (a === undefined) return `${name}: missing (expected shape ${formatShape(b.shape)})`;
    try {
      expectClose(a, b, tolerance, name);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return null;
}

/** The counterexample as a case: the reference engine's outputs stand for PyTorch's until `check` confirms them. */
function counterexampleCase(c: CaseConfig, request: RunRequest, expected: RunOutputs): Case {
  const cell = isCell(c.kind);
  const options: Record<string, number | boolean | string> = { input_size: c.inputSize, hidden_size: c.hiddenSize };
  if (!cell) Object.assign(options, { num_layers: c.numLayers });
  if (familyOf(c.kind) === 'RNN') options['nonlinearity'] = c.nonlinearity;
  options['bias'] = c.bias;
  if (!cell) Object.assign(options, { batch_first: c.batchFirst, dropout: 0, bidirectional: c.bidirectional, ...(c.kind === 'LSTM' && { proj_size: c.projSize }) });
  return {
    name: 'counterexample',
    description: {
      schema: 1,
      name: `counterexample: ${describeConfig(c)}`,
      module: c.kind,
      options,
      prefix: '',
      packed: request.lengths !== undefined,
      enforce_sorted: false,
      dtype: c.dtype,
      tolerance: defaultTolerance(c.dtype),
      torch: null,
      created_by: 'rnnport/testing checkAgainstReference (expected values from rnnport\'s reference engine)',
    },
    weights: request.weights,
    input: request.input,
    ...(request.h0 !== undefined && { h0: request.h0 }),
    ...(request.c0 !== undefined && { c0: request.c0 }),
    ...(request.lengths !== undefined && { lengths: request.lengths }),
    expected: { output: expected.output, hN: expected.hN, ...(expected.cN !== undefined && { cN: expected.cN }) },
  };
}

/**
 * A property: on arbitrary cases (`caseArb(options)`), `impl` gives what rnnport's reference
 * engine gives, within the tolerance. Resolves when it holds; otherwise rejects with the shrunk
 * configuration, the replay options and the worst element, after writing the counterexample.
 * @example await checkAgainstReference(myPort, { kinds: ['GRU'], numRuns: 200 });
 */
export async function checkAgainstReference(impl: Implementation, options: CheckOptions = {}): Promise<void> {
  const reference = rnnportImplementation({ engine: 'reference' });
  const found = new Map<CaseConfig, string>();
  const property = fc.asyncProperty(caseArb(options), async ({ config, request }) => {
    const expected = await reference(request);
    const diff = await difference(impl, request, expected, options.tolerance);
    if (diff !== null) found.set(config, diff);
    return diff === null;
  });
  const details = await fc.check(property, {
    numRuns: options.numRuns ?? 100,
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.path !== undefined && { path: options.path }),
  });
  if (!details.failed || details.counterexample === null) return;
  const [{ config }] = details.counterexample;
  const request = requestOf(config);
  const expected = await reference(request);
  let written = '';
  if (options.counterexample !== false) {
    const file = resolve(options.counterexample ?? 'rnnport-counterexample.safetensors');
    writeFileSync(file, saveCase(counterexampleCase(config, request, expected)));
    written = `\nCounterexample written to ${file}: confirm its expected values in PyTorch with \`python rnnport_capture.py check ${file}\`.`;
  }
  throw new Error(
    `The implementation differs from PyTorch's semantics (rnnport's reference engine) on\n  ${describeConfig(config)}\n` +
      `  ${found.get(config) ?? 'see above'}\n` +
      `Shrunk ${details.numShrinks} time(s) after ${details.numRuns} run(s). Replay: checkAgainstReference(impl, { seed: ${details.seed}, path: '${details.counterexamplePath ?? ''}' })` +
      written,
  );
}
