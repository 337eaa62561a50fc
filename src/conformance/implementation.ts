/**
 * Any implementation under test, as a function: it receives what `rnnport run` receives (weights,
 * input, states, lengths, and the settings weights cannot tell) and returns output, h_n and c_n.
 * `checkImplementation` runs cases through one and compares with PyTorch's results, the way
 * `rnnport conformance --impl 'CMD'` does for a program; rnnport itself is one such implementation
 * (`rnnportImplementation`), and `runCase` checks it.
 */
import { compareTensors, type Tolerance } from '../compare.js';
import { familyOf, MODULE_KINDS, modeOf, type EngineChoice, type LayerKind, type ModuleKind, type SimdOption } from '../config.js';
import { fail, isRnnportError, RnnportError } from '../errors.js';
import { fromStateDict, runModule, type RunOutputs } from '../modules/index.js';
import { formatShape, Tensor, type StateDict } from '../tensor.js';
import { runSettings, type Case, type RunSettings } from './case.js';
import type { TensorComparison } from './golden.js';

/** One call, as `rnnport run WEIGHTS --input X [--h0] [--c0] [--lengths] …` describes it. */
export interface RunRequest extends RunSettings {
  /** The state_dict (the module's parameters under their full names; other tensors may be there). */
  readonly weights: StateDict;
  readonly input: Tensor;
  readonly h0?: Tensor;
  readonly c0?: Tensor;
  /** int32 / int64, one per sequence: pack (enforce_sorted=False), run, pad to T. */
  readonly lengths?: Tensor;
}

/** An implementation under test. Throw `unsupported(reason)` for a case it does not handle. */
export type Implementation = (request: RunRequest) => RunOutputs | Promise<RunOutputs>;

/** The error an implementation throws for a case it does not support (a program exits 3). */
export function unsupported(reason: string): RnnportError {
  return new RnnportError('E_UNSUPPORTED', { what: 'case', expected: 'a case the implementation supports', got: reason });
}

/** An implementation that ran but gave no usable result (a program's exit status, a missing file): its message is the case's reason. */
export class ImplementationFailure extends Error {
  override readonly name = 'ImplementationFailure';
}

/** rnnport itself as an implementation: fromStateDict + runModule, on the given engine. */
export function rnnportImplementation(options: { readonly engine?: EngineChoice; readonly simd?: SimdOption } = {}): Implementation {
  return (r) => {
    const module = fromStateDict(r.weights, {
      prefix: r.prefix,
      dtype: r.dtype,
      engine: options.engine ?? 'auto',
      simd: options.simd ?? 'auto',
      ...(r.batchFirst && { batchFirst: true }),
      ...(r.nonlinearity !== undefined && { nonlinearity: r.nonlinearity }),
    });
    try {
      const h0 = r.h0?.to(r.dtype);
      const hx = h0 === undefined ? undefined : r.c0 === undefined ? h0 : ([h0, r.c0.to(r.dtype)] as const);
      return runModule(module, { input: r.input.to(r.dtype), hx, lengths: r.lengths });
    } finally {
      module.dispose();
    }
  };
}

/** The outcome of one case through one implementation. */
export interface CaseOutcome {
  readonly case: string;
  readonly module: ModuleKind;
  /** RNN_TANH, RNN_RELU, GRU, LSTM, or the cell's class (RNNCell_TANH, GRUCell, LSTMCell). */
  readonly mode: string;
  /** `ok`: every tensor within tolerance; `unsupported`: the implementation said so; `failed`: anything else. */
  readonly status: 'ok' | 'failed' | 'unsupported';
  readonly tensors: readonly TensorComparison[];
  /** Why it failed or is unsupported: a sentence starting with a code. */
  readonly reason: string | null;
}

/** RNN_TANH … for reports: PyTorch's mode string, or the cell's class with its activation (of a case description or golden spec). */
export function caseMode(d: { readonly module: ModuleKind | LayerKind; readonly options: Readonly<Record<string, unknown>> }): string {
  const { module, options } = d;
  if (!MODULE_KINDS.includes(module as ModuleKind)) return module;
  const nonlinearity = options['nonlinearity'] === 'relu' ? 'relu' : 'tanh';
  if (module === 'RNNCell') return `RNNCell_${nonlinearity.toUpperCase()}`;
  return module.endsWith('Cell') ? module : modeOf(familyOf(module as ModuleKind), nonlinearity);
}

/** `output` of a run padded to T compared with PyTorch's padded to its own (shorter) length: the steps up to that length. */
function upToTime(got: Tensor, expected: Tensor, batchFirst: boolean, packed: boolean): Tensor {
  const axis = batchFirst ? 1 : 0;
  if (!packed || got.ndim !== 3 || expected.ndim !== 3 || (got.shape[axis] as number) <= (expected.shape[axis] as number)) return got;
  const [d0, d1, F] = got.shape as [number, number, number];
  const T = expected.shape[axis] as number;
  const data = got.data as Float32Array | Float64Array;
  if (!batchFirst) return new Tensor(got.dtype, [T, d1, F], data.slice(0, T * d1 * F));
  const out = data.slice(0, d0 * T * F);
  for (let b = 0; b < d0; b++) out.set(data.subarray(b * d1 * F, (b * d1 + T) * F), b * T * F);
  return new Tensor(got.dtype, [d0, T, F], out);
}

/** Runs one case through `impl` and compares output, h_n (and c_n) with the case's tolerance. */
export async function checkCase(c: Case, impl: Implementation, tolerance?: Tolerance): Promise<CaseOutcome> {
  const settings = runSettings(c);
  const base = { case: c.name, module: c.description.module, mode: caseMode(c.description) };
  let got: RunOutputs;
  try {
    got = await impl({
      ...settings,
      weights: c.weights,
      input: c.input,
      ...(c.h0 !== undefined && { h0: c.h0 }),
      ...(c.c0 !== undefined && { c0: c.c0 }),
      ...(c.lengths !== undefined && { lengths: c.lengths }),
    });
  } catch (e) {
    if (isRnnportError(e) && e.code === 'E_UNSUPPORTED') return { ...base, status: 'unsupported', tensors: [], reason: e.detail.got };
    const reason = isRnnportError(e) ? `${e.code}: ${e.message}` : e instanceof ImplementationFailure ? e.message : `the implementation threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    return { ...base, status: 'failed', tensors: [], reason };
  }
  const tol = tolerance ?? c.description.tolerance;
  const pairs: [string, Tensor | undefined, Tensor | undefined][] = [
    ['output', got.output === undefined ? undefined : upToTime(got.output, c.expected.output, settings.batchFirst, c.lengths !== undefined), c.expected.output],
    ['h_n', got.hN, c.expected.hN],
    ['c_n', got.cN, c.expected.cN],
  ];
  const tensors: TensorComparison[] = [];
  let reason: string | null = null;
  for (const [name, actual, expected] of pairs) {
    if (expected === undefined) continue;
    if (actual === undefined) {
      reason ??= `E_EXPECTED_SHAPE: ${name}: expected a tensor of shape ${formatShape(expected.shape)}, got none`;
      continue;
    }
    const result = compareTensors(actual, expected, tol);
    tensors.push({ tensor: name, gotShape: actual.shape, expectedShape: expected.shape, result });
    if (result.ok || reason !== null) continue;
    const w = result.worst;
    reason =
      w === undefined
        ? `E_EXPECTED_SHAPE: ${name}: expected shape ${formatShape(expected.shape)} (PyTorch's), got ${formatShape(actual.shape)}`
        : `E_MISMATCH: ${name}[${w.index.join(', ')}]: expected ${w.expected}, got ${w.got} (${result.mismatches} element(s) outside atol ${tol.atol} + rtol ${tol.rtol}·|expected|)`;
  }
  return { ...base, status: reason === null ? 'ok' : 'failed', tensors, reason };
}

/**
 * Runs every case through `impl`, one after another, and reports each (never throws for a case:
 * an implementation's error is that case's failure).
 * @example const outcomes = await checkImplementation(myPort, cases);
 */
export async function checkImplementation(impl: Implementation, cases: Iterable<Case>, options: { readonly tolerance?: Tolerance } = {}): Promise<CaseOutcome[]> {
  if (typeof impl !== 'function') throw fail('E_BAD_ARGUMENT', { what: 'checkImplementation(impl)', expected: 'a function (request) => { output, hN, cN? }', got: typeof impl });
  const out: CaseOutcome[] = [];
  for (const c of cases) out.push(await checkCase(c, impl, options.tolerance));
  return out;
}

/** Checks rnnport on a case (`rnnport verify CASE.safetensors`). */
export function runCase(c: Case, options: { readonly engine?: EngineChoice; readonly simd?: SimdOption } = {}): Promise<CaseOutcome> {
  return checkCase(c, rnnportImplementation(options));
}
