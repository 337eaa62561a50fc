/**
 * What `run`, `verify` and `bench` share: build the module from WEIGHTS, read X / h0 / c0 /
 * lengths, reject options that do not apply (E_BAD_OPTION, ../shared/CONTRACTS.md "CLI"), and
 * run one forward exactly as issue 5 writes it:
 *   - compute dtype: --dtype, else the input's (float16 / bfloat16 → float32; integers rejected)
 *   - --lengths: pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False) → module →
 *     pad_packed_sequence(..., total_length=T)
 *   - a cell computes one step; output = h′
 */
import { isFloatDType, type FloatDType } from '../dtype.js';
import { fail } from '../errors.js';
import { createFastEngine, fastEngineAvailable } from '../fast/engine.js';
import { resolveSimd } from '../fast/wasm.js';
import {
  fromStateDict,
  GRUCell,
  LSTM,
  LSTMCell,
  RNNCell,
  packPaddedSequence,
  padPackedSequence,
  registerEngine,
  type PackedSequence,
  type RecurrentModule,
  type RNNResult,
} from '../modules/index.js';
import { readNpyFile } from '../node.js';
import type { Tensor } from '../tensor.js';
import { resolvePath, type Io } from './io.js';
import type { EngineChoice, RunArgs, SimdChoice } from './parse.js';
import { findModule } from './weights.js';

/** Inputs read from the command line, cast to the compute dtype. */
export interface Prepared {
  readonly module: RecurrentModule;
  readonly dtype: FloatDType;
  readonly input: Tensor;
  readonly h0: Tensor | undefined;
  readonly c0: Tensor | undefined;
  /** Lengths as read (int32 / int64), or undefined. */
  readonly lengths: Tensor | undefined;
  readonly batchFirst: boolean;
  /** The engine `auto` / `fast` resolved to (`module.engine` says what ran). */
  readonly inUse: EngineInUse;
}

/** `output`, `h_n` and (LSTM, LSTMCell) `c_n`, shapes as PyTorch returns them. */
export interface Outputs {
  readonly output: Tensor;
  readonly hN: Tensor;
  readonly cN: Tensor | null;
}

/** The compute dtype for an input dtype (CONTRACTS.md "dtype"): integer input is rejected even with --dtype. */
export function computeDtype(input: Tensor, requested: FloatDType | undefined): FloatDType {
  if (!isFloatDType(input.dtype)) {
    throw fail('E_INPUT_DTYPE', { what: 'input dtype', expected: 'a float dtype (float32, float64; narrower floats compute in float32)', got: input.dtype });
  }
  if (requested !== undefined) return requested;
  return input.dtype === 'float64' ? 'float64' : 'float32';
}

function badOption(flag: string, expected: string, got: string): Error {
  return fail('E_BAD_OPTION', { what: flag, expected, got });
}

/** The engine and kernel build that `engine: 'auto' | 'fast'` modules get after setupEngine. */
export interface EngineInUse {
  readonly engine: 'fast' | 'reference';
  readonly simd: 'relaxed' | 'plain' | 'none';
}

/**
 * `--engine` / `--simd`: registers the fast engine with the requested kernel build, so that
 * `engine: 'auto' | 'fast'` modules use it. `--simd` with the reference engine does not apply.
 * Ask `module.engine` for what ran.
 */
export function setupEngine(engine: EngineChoice, simd: SimdChoice): EngineInUse {
  if (engine === 'reference') {
    if (simd !== 'auto') throw badOption('--simd', 'only with --engine auto or fast (the reference engine is plain JS)', `--simd ${simd}`);
    return { engine: 'reference', simd: 'none' };
  }
  if (!fastEngineAvailable()) {
    if (engine === 'fast' || simd !== 'auto') throw badOption(engine === 'fast' ? '--engine' : '--simd', 'a runtime with WebAssembly SIMD128 for the fast engine', 'none here');
    return { engine: 'reference', simd: 'none' };
  }
  registerEngine(createFastEngine({ simd }));
  return { engine: 'fast', simd: resolveSimd(simd) };
}

/** Builds the module and reads its inputs; every option that does not apply is E_BAD_OPTION. */
export function prepare(io: Io, args: RunArgs): Prepared {
  const inUse = setupEngine(args.engine, args.simd);
  const { index, info } = findModule(io, args.weights, args.key, args.prefix);
  const cell = info.kind.endsWith('Cell');
  const lstm = info.kind === 'LSTM' || info.kind === 'LSTMCell';
  const family = `nn.${info.kind}`;
  if (args.c0 !== undefined && !lstm) throw badOption('--c0', 'only for nn.LSTM / nn.LSTMCell', family);
  if (lstm && (args.h0 === undefined) !== (args.c0 === undefined)) throw badOption(args.h0 === undefined ? '--c0' : '--h0', 'together with --h0 and --c0 (an LSTM state is the pair)', 'one of them');
  if (args.nonlinearity !== undefined && info.kind !== 'RNN' && info.kind !== 'RNNCell') throw badOption('--nonlinearity', 'only for nn.RNN / nn.RNNCell', family);
  if (args.lengths !== undefined && cell) throw badOption('--lengths', 'only for nn.RNN / nn.GRU / nn.LSTM (a cell takes one step)', family);
  if (args.batchFirst && cell) throw badOption('--batch-first', 'only for nn.RNN / nn.GRU / nn.LSTM (a cell takes one step)', family);

  const read = (path: string): Tensor => readNpyFile(resolvePath(io, path));
  const rawInput = read(args.input);
  const dtype = computeDtype(rawInput, args.dtype);
  if (args.lengths !== undefined && rawInput.ndim === 2) throw badOption('--lengths', 'a batched input (rank 3)', `an unbatched input of shape (${rawInput.shape.join(', ')})`);
  const readLengths = (path: string): Tensor => {
    const t = read(path);
    if (t.dtype !== 'int32' && t.dtype !== 'int64') throw fail('E_LENGTHS', { what: 'lengths dtype', expected: 'int32 or int64', got: t.dtype, at: path });
    return t;
  };
  const lengths = args.lengths === undefined ? undefined : readLengths(args.lengths);
  const state = (path: string | undefined): Tensor | undefined => (path === undefined ? undefined : read(path).to(dtype));
  const module = fromStateDict(index.load(info.parameters), {
    prefix: info.prefix,
    dtype,
    engine: args.engine,
    ...(args.nonlinearity !== undefined && { nonlinearity: args.nonlinearity }),
    ...(args.batchFirst && { batchFirst: true }),
  });
  return { module, dtype, input: rawInput.to(dtype), h0: state(args.h0), c0: state(args.c0), lengths, batchFirst: args.batchFirst, inUse };
}

/** What nn.RNN / nn.GRU / nn.LSTM share; S is the state (h_0, or the pair (h_0, c_0)). */
interface Stack<S> {
  forward(input: Tensor, hx?: S): RNNResult;
  forward(input: PackedSequence, hx?: S): RNNResult<PackedSequence>;
}

/** What the cells share: one step, h′ (and c′). */
interface Cell<S> {
  forward(input: Tensor, hx?: S): { readonly hN: Tensor };
}

const cNOf = (r: object): Tensor | null => ('cN' in r ? (r.cN as Tensor) : null);

function runCell<S>(cell: Cell<S>, p: Prepared, hx: S | undefined): Outputs {
  const r = cell.forward(p.input, hx);
  return { output: r.hN, hN: r.hN, cN: cNOf(r) };
}

function runStack<S>(stack: Stack<S>, p: Prepared, hx: S | undefined): Outputs {
  if (p.lengths === undefined) {
    const r = stack.forward(p.input, hx);
    return { output: r.output, hN: r.hN, cN: cNOf(r) };
  }
  const T = p.input.shape[p.batchFirst ? 1 : 0] as number;
  const r = stack.forward(packPaddedSequence(p.input, p.lengths, { batchFirst: p.batchFirst, enforceSorted: false }), hx);
  const [output] = padPackedSequence(r.output, { batchFirst: p.batchFirst, totalLength: T });
  return { output, hN: r.hN, cN: cNOf(r) };
}

/** One forward pass as issue 5 describes `run`. */
export function forward(p: Prepared): Outputs {
  const { module, h0, c0 } = p;
  const pair = h0 !== undefined && c0 !== undefined ? ([h0, c0] as const) : undefined;
  if (module instanceof LSTM) return runStack(module, p, pair);
  if (module instanceof LSTMCell) return runCell(module, p, pair);
  if (module instanceof RNNCell || module instanceof GRUCell) return runCell(module, p, h0);
  return runStack(module, p, h0);
}
