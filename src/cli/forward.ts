/**
 * What `run`, `verify` and `bench` share: build the module from WEIGHTS (found once, from the
 * header), read X / h0 / c0 / lengths, reject options that do not apply (E_BAD_OPTION,
 * docs/cli.md), and run one forward pass with `runModule` exactly as `rnnport run` is specified:
 *   - compute dtype: --dtype, else the input's (float16 / bfloat16 → float32; integers rejected)
 *   - --lengths: pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False) → module →
 *     pad_packed_sequence(..., total_length=T)
 *   - a cell computes one step; output = h′
 */
import { isCell, type EngineChoice, type SimdOption } from '../config.js';
import { isFloatDType, type FloatDType } from '../dtype.js';
import type { EngineId } from '../engine/types.js';
import { fail } from '../errors.js';
import { selectEngine } from '../modules/engine-select.js';
import { moduleFromInfo, runModule, type RecurrentModule, type RunOutputs } from '../modules/index.js';
import { readNpyFile } from '../node.js';
import { formatShape, tensor, type Tensor } from '../tensor.js';
import { resolvePath, type Io } from './io.js';
import type { LengthsArg, RunArgs } from './parse.js';
import { findModule } from './weights.js';

/** A module built from the command line and its inputs, cast to the compute dtype. */
export interface PreparedRun {
  readonly module: RecurrentModule;
  readonly dtype: FloatDType;
  readonly input: Tensor;
  readonly h0: Tensor | undefined;
  readonly c0: Tensor | undefined;
  /** Lengths as read (int32 / int64), or undefined. */
  readonly lengths: Tensor | undefined;
}

/** The compute dtype for an input dtype (docs/cli.md, "dtype"): integer input is rejected even with --dtype. */
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

/**
 * The engine `--engine` / `--simd` select (what modules built with these options run on), checked
 * before any file is read: `--simd` with the reference engine does not apply.
 */
export function engineFor(engine: EngineChoice, simd: SimdOption): EngineId {
  if (engine === 'reference' && simd !== 'auto') {
    throw badOption('--simd', 'only with --engine auto or fast (the reference engine is plain JS)', `--simd ${simd}`);
  }
  return selectEngine(engine, simd);
}

/** Builds the module and reads its inputs; every option that does not apply is E_BAD_OPTION. */
export function prepareRun(io: Io, args: RunArgs): PreparedRun {
  engineFor(args.engine, args.simd);
  const { index, info } = findModule(io, args.weights, args.key, args.prefix);
  const cell = isCell(info.kind);
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
  const lengths = args.lengths === undefined ? undefined : readLengths(io, args.lengths);
  const state = (path: string | undefined): Tensor | undefined => (path === undefined ? undefined : read(path).to(dtype));
  const module = moduleFromInfo(info, index.load(info.parameters), {
    dtype,
    engine: args.engine,
    simd: args.simd,
    ...(args.nonlinearity !== undefined && { nonlinearity: args.nonlinearity }),
    ...(args.batchFirst && { batchFirst: true }),
  });
  return { module, dtype, input: rawInput.to(dtype), h0: state(args.h0), c0: state(args.c0), lengths };
}

/** `--lengths` as a tensor: the list given, or the .npy file (int32 / int64, else E_LENGTHS). */
export function readLengths(io: Io, arg: LengthsArg): Tensor {
  if ('list' in arg) return tensor(BigInt64Array.from(arg.list, (n) => BigInt(n)), [arg.list.length]);
  const t = readNpyFile(resolvePath(io, arg.file));
  if (t.dtype !== 'int32' && t.dtype !== 'int64') throw fail('E_LENGTHS', { what: 'lengths dtype', expected: 'int32 or int64', got: t.dtype, at: arg.file });
  if (t.ndim !== 1) throw fail('E_LENGTHS', { what: 'lengths', expected: 'a 1-d array, one length per sequence', got: `shape ${formatShape(t.shape)}`, at: arg.file });
  return t;
}

/** One forward pass as `rnnport run` is specified (runModule). */
export function runPrepared(p: PreparedRun): RunOutputs {
  const hx = p.h0 === undefined ? undefined : p.c0 === undefined ? p.h0 : ([p.h0, p.c0] as const);
  return runModule(p.module, { input: p.input, hx, lengths: p.lengths });
}
