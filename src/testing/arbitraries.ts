/**
 * fast-check arbitraries of recurrent-module cases: configurations, state_dicts, inputs, initial
 * states and packed lengths. Every size is an integer drawn with its minimum as the shrink
 * target, and every tensor is derived from a seed by `src/random.ts`, so a failing case shrinks
 * toward fewer layers, smaller sizes, shorter sequences and smaller batches, one field at a time,
 * and the weights of a shrunk configuration are still PyTorch-like.
 */
import fc from 'fast-check';
import { familyOf, isCell, MODULE_KINDS, numDirections, outSize, type ModuleConfig, type ModuleKind, type Nonlinearity } from '../config.js';
import type { FloatDType } from '../dtype.js';
import type { RunRequest } from '../conformance/implementation.js';
import { initialStateDict, mulberry32, uniformTensor } from '../random.js';
import { Tensor } from '../tensor.js';

/** Bounds and choices of the generated cases. */
export interface CaseConstraints {
  /** Module kinds to draw from. @defaultValue the six kinds */
  readonly kinds?: readonly ModuleKind[];
  /** @defaultValue 3 */
  readonly maxLayers?: number;
  /** @defaultValue 6 */
  readonly maxInputSize?: number;
  /** @defaultValue 6 */
  readonly maxHiddenSize?: number;
  /** @defaultValue 6 */
  readonly maxSeqLen?: number;
  /** @defaultValue 4 */
  readonly maxBatch?: number;
  /** @defaultValue ['float32'] */
  readonly dtypes?: readonly FloatDType[];
  /** Draw packed batches (unsorted lengths), batch_first, unbatched input, initial states, proj_size, bias=False. @defaultValue all true */
  readonly packed?: boolean;
  readonly batchFirst?: boolean;
  readonly unbatched?: boolean;
  readonly initialState?: boolean;
  readonly projSize?: boolean;
  readonly noBias?: boolean;
}

/** A generated configuration: a module, its shape and how it is called. */
export interface CaseConfig extends ModuleConfig {
  readonly kind: ModuleKind;
  readonly nonlinearity: Nonlinearity;
  readonly batchFirst: boolean;
  readonly dtype: FloatDType;
  /** T (1 for a cell). */
  readonly seqLen: number;
  /** B; 0 means unbatched input. */
  readonly batch: number;
  /** One length per sequence (packed), or null. */
  readonly lengths: readonly number[] | null;
  readonly withState: boolean;
  /** Seeds the weights, the input and the states. */
  readonly seed: number;
}

/** Configurations within `constraints`; shrinking goes toward the first kind and every minimum. */
export function caseConfigArb(constraints: CaseConstraints = {}): fc.Arbitrary<CaseConfig> {
  const kinds = constraints.kinds ?? MODULE_KINDS;
  const on = (flag: boolean | undefined): fc.Arbitrary<boolean> => (flag === false ? fc.constant(false) : fc.boolean());
  const maxBatch = constraints.maxBatch ?? 4;
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      relu: fc.boolean(),
      inputSize: fc.integer({ min: 1, max: constraints.maxInputSize ?? 6 }),
      hiddenSize: fc.integer({ min: 1, max: constraints.maxHiddenSize ?? 6 }),
      numLayers: fc.integer({ min: 1, max: constraints.maxLayers ?? 3 }),
      bidirectional: fc.boolean(),
      proj: on(constraints.projSize),
      projSize: fc.integer({ min: 1, max: 5 }),
      noBias: on(constraints.noBias),
      batchFirst: on(constraints.batchFirst),
      dtype: fc.constantFrom(...(constraints.dtypes ?? (['float32'] as const))),
      seqLen: fc.integer({ min: 1, max: constraints.maxSeqLen ?? 6 }),
      batch: fc.integer({ min: 1, max: maxBatch }),
      unbatched: on(constraints.unbatched),
      packed: on(constraints.packed),
      lengths: fc.array(fc.integer({ min: 1, max: constraints.maxSeqLen ?? 6 }), { minLength: maxBatch, maxLength: maxBatch }),
      withState: on(constraints.initialState),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    })
    .map((r) => {
      const cell = isCell(r.kind);
      const lstm = r.kind === 'LSTM';
      // proj_size < hidden_size, LSTM only; a cell is one layer, one direction, one step
      const projSize = lstm && r.proj && r.hiddenSize > 1 ? Math.min(r.projSize, r.hiddenSize - 1) : 0;
      const unbatched = r.unbatched && !r.packed;
      const packed = r.packed && !cell;
      return {
        kind: r.kind,
        nonlinearity: r.relu ? 'relu' : 'tanh',
        inputSize: r.inputSize,
        hiddenSize: r.hiddenSize,
        numLayers: cell ? 1 : r.numLayers,
        bidirectional: !cell && r.bidirectional,
        projSize,
        bias: !r.noBias,
        batchFirst: !cell && !unbatched && r.batchFirst,
        dtype: r.dtype,
        seqLen: cell ? 1 : r.seqLen,
        batch: unbatched ? 0 : r.batch,
        lengths: packed && !unbatched ? r.lengths.slice(0, r.batch).map((n) => Math.min(n, r.seqLen)) : null,
        withState: r.withState,
        seed: r.seed,
      } satisfies CaseConfig;
    });
}

/** The call a configuration describes: PyTorch-initialised weights, input U(−1, 1), states U(−1, 1). */
export function requestOf(c: CaseConfig): RunRequest {
  const next = mulberry32(c.seed);
  const weights = initialStateDict(c.kind, c, next, c.dtype);
  const cell = isCell(c.kind);
  const B = c.batch;
  const T = c.seqLen;
  const I = c.inputSize;
  const inputShape = cell ? (B === 0 ? [I] : [B, I]) : B === 0 ? [T, I] : c.batchFirst ? [B, T, I] : [T, B, I];
  const input = uniformTensor(next, inputShape, 1, c.dtype);
  const LD = c.numLayers * numDirections(c);
  const stateShape = (F: number): number[] => (cell ? (B === 0 ? [F] : [B, F]) : B === 0 ? [LD, F] : [LD, B, F]);
  const lstm = familyOf(c.kind) === 'LSTM';
  return {
    weights,
    prefix: '',
    batchFirst: c.batchFirst,
    dtype: c.dtype,
    ...(familyOf(c.kind) === 'RNN' && { nonlinearity: c.nonlinearity }),
    input,
    ...(c.withState && { h0: uniformTensor(next, stateShape(cell ? c.hiddenSize : outSize(c)), 1, c.dtype) }),
    ...(c.withState && lstm && { c0: uniformTensor(next, stateShape(c.hiddenSize), 1, c.dtype) }),
    ...(c.lengths !== null && { lengths: new Tensor('int64', [c.lengths.length], BigInt64Array.from(c.lengths, (n) => BigInt(n))) }),
  };
}

/** Cases as the calls an implementation receives (`requestOf` of `caseConfigArb`). */
export function caseArb(constraints: CaseConstraints = {}): fc.Arbitrary<{ readonly config: CaseConfig; readonly request: RunRequest }> {
  return caseConfigArb(constraints).map((config) => ({ config, request: requestOf(config) }));
}

/** State_dicts of `kind` modules, by their PyTorch names (no prefix). */
export function stateDictArb(constraints: CaseConstraints = {}): fc.Arbitrary<ReadonlyMap<string, Tensor>> {
  return caseConfigArb(constraints).map((c) => requestOf(c).weights);
}

/** PyTorch's constructor call and the call's shapes, for messages: `nn.GRU(2, 3, num_layers=2, bidirectional=True); input (4, 2, 2), lengths [4, 1]`. */
export function describeConfig(c: CaseConfig): string {
  const args = [String(c.inputSize), String(c.hiddenSize)];
  if (c.numLayers > 1) args.push(`num_layers=${c.numLayers}`);
  if (familyOf(c.kind) === 'RNN' && c.nonlinearity === 'relu') args.push("nonlinearity='relu'");
  if (!c.bias) args.push('bias=False');
  if (c.batchFirst) args.push('batch_first=True');
  if (c.bidirectional) args.push('bidirectional=True');
  if (c.projSize > 0) args.push(`proj_size=${c.projSize}`);
  const r = requestOf(c);
  const call = [`input (${r.input.shape.join(', ')})`, ...(c.withState ? ['h_0 given'] : []), ...(c.lengths !== null ? [`lengths [${c.lengths.join(', ')}]`] : []), ...(c.dtype === 'float64' ? ['float64'] : [])];
  return `nn.${c.kind}(${args.join(', ')}); ${call.join(', ')}`;
}
