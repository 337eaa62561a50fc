/**
 * Module options: PyTorch's constructor arguments under camelCase names, mapped 1:1
 * (input_size → inputSize, …), plus the compute `dtype` and the `engine`. Validated once, with
 * PyTorch's rules (torch/nn/modules/rnn.py, RNNBase.__init__ and RNNCellBase):
 * https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/modules/rnn.py#L112-L157
 */
import { familyOf, isCell, modeOf, type EngineChoice, type ModuleKind, type Nonlinearity, type SimdOption, type StackConfig } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import { normalizePrefix } from '../state-dict/names.js';

/** Options shared by every module. */
export interface CommonOptions {
  /** `input_size`: features per input step. */
  readonly inputSize: number;
  /** `hidden_size`: features of the hidden state. */
  readonly hiddenSize: number;
  /** `bias`: whether b_ih and b_hh exist. @defaultValue true */
  readonly bias?: boolean;
  /** Compute dtype, fixed at creation. @defaultValue 'float64' when every weight is float64, else 'float32' */
  readonly dtype?: FloatDType;
  /** @defaultValue 'auto' */
  readonly engine?: EngineChoice;
  /**
   * Fast engine's kernel build: `relaxed` (relaxed-SIMD fused multiply-add), `plain`, or `auto`
   * (relaxed where `WebAssembly.validate` accepts it). @defaultValue 'auto'
   */
  readonly simd?: SimdOption;
  /** Key prefix of the weights (`encoder.rnn.` ≡ `encoder.rnn`). @defaultValue '' */
  readonly prefix?: string;
}

/** Options of nn.GRU (and the base of nn.RNN / nn.LSTM). */
export interface GRUOptions extends CommonOptions {
  /** `num_layers`. @defaultValue 1 */
  readonly numLayers?: number;
  /** `batch_first`: input and output are (B, T, ·); ignored for unbatched and packed input. @defaultValue false */
  readonly batchFirst?: boolean;
  /** `dropout`: accepted for parity with PyTorch; inference never applies dropout. @defaultValue 0 */
  readonly dropout?: number;
  /** `bidirectional`. @defaultValue false */
  readonly bidirectional?: boolean;
}

/** Options of nn.RNN. */
export interface RNNOptions extends GRUOptions {
  /** @defaultValue 'tanh' */
  readonly nonlinearity?: Nonlinearity;
}

/** Options of nn.LSTM. */
export interface LSTMOptions extends GRUOptions {
  /** `proj_size`: 0 for none, else 0 < projSize < hiddenSize. @defaultValue 0 */
  readonly projSize?: number;
}

/** Options of nn.GRUCell / nn.LSTMCell. */
export type CellOptions = CommonOptions;

/** Options of nn.RNNCell. */
export interface RNNCellOptions extends CommonOptions {
  /** @defaultValue 'tanh' */
  readonly nonlinearity?: Nonlinearity;
}

/** Every option resolved and checked. A cell is one layer, one direction. */
export interface ResolvedOptions extends StackConfig {
  readonly kind: ModuleKind;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly dtype: FloatDType | undefined;
  readonly engine: EngineChoice;
  readonly simd: SimdOption;
  readonly prefix: string;
}

/** The union of every kind's options (what a constructor may receive). */
export type AnyOptions = Partial<RNNOptions & LSTMOptions> & CommonOptions;

/** E_BAD_OPTION naming the option, what it must be and the value given. */
export const bad = (what: string, expected: string, got: unknown): Error =>
  fail('E_BAD_OPTION', { what, expected, got: typeof got === 'string' ? JSON.stringify(got) : String(got) });

/** An integer option ≥ min (E_BAD_OPTION otherwise). */
export function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw bad(name, `an integer ≥ ${min}`, value);
  return value;
}

/** A boolean option, `fallback` when absent (E_BAD_OPTION for another value). */
export function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw bad(name, 'true or false', value);
  return value;
}

/** Checks and completes a `kind` module's options; throws E_BAD_OPTION with PyTorch's rules. */
export function resolveOptions(kind: ModuleKind, options: AnyOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw badArgument(`new ${kind}(options, weights)`, 'an options object ({ inputSize, hiddenSize, … })', options);
  const cell = isCell(kind);
  const base = familyOf(kind);
  const hiddenSize = integer('hiddenSize', options.hiddenSize, 1);
  // An option another family lacks is an error, unless it holds that option's default.
  const rejectUnless = (name: keyof AnyOptions, allowed: boolean, fallback?: unknown): void => {
    const value = options[name];
    if (!allowed && value !== undefined && value !== fallback) throw bad(name, `no ${name} for ${kind}`, value);
  };
  rejectUnless('nonlinearity', base === 'RNN');
  rejectUnless('projSize', base === 'LSTM' && !cell, 0);
  rejectUnless('numLayers', !cell, 1);
  rejectUnless('batchFirst', !cell, false);
  rejectUnless('dropout', !cell, 0);
  rejectUnless('bidirectional', !cell, false);
  const nonlinearity = options.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw bad('nonlinearity', "'tanh' or 'relu'", nonlinearity);
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) throw bad('dropout', 'a number in [0, 1]', dropout);
  const projSize = integer('projSize', options.projSize ?? 0, 0);
  if (projSize >= hiddenSize) throw bad('projSize', `0 (none) or less than hiddenSize ${hiddenSize}`, projSize);
  const { dtype, engine, simd, prefix } = resolveRuntimeOptions(options);
  return {
    kind,
    mode: modeOf(base, nonlinearity),
    inputSize: integer('inputSize', options.inputSize, 1),
    hiddenSize,
    numLayers: integer('numLayers', options.numLayers ?? 1, 1),
    bias: boolean('bias', options.bias, true),
    batchFirst: boolean('batchFirst', options.batchFirst, false),
    dropout,
    bidirectional: boolean('bidirectional', options.bidirectional, false),
    projSize,
    dtype,
    engine,
    simd,
    prefix,
  };
}

/** The options every module and layer shares besides its sizes: where its weights sit and how it runs. */
export interface RuntimeOptions {
  readonly dtype: FloatDType | undefined;
  readonly engine: EngineChoice;
  readonly simd: SimdOption;
  /** Normalized: '' or ending in a dot. */
  readonly prefix: string;
}

/** Checks and completes `dtype`, `engine`, `simd` and `prefix` (E_BAD_OPTION). */
export function resolveRuntimeOptions(options: Pick<CommonOptions, 'dtype' | 'engine' | 'simd' | 'prefix'>): RuntimeOptions {
  const dtype = options.dtype;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') throw bad('dtype', "'float32' or 'float64'", dtype);
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'reference' && engine !== 'fast') throw bad('engine', "'auto', 'reference' or 'fast'", engine);
  const simd = options.simd ?? 'auto';
  if (simd !== 'auto' && simd !== 'relaxed' && simd !== 'plain') throw bad('simd', "'auto', 'relaxed' or 'plain'", simd);
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw bad('prefix', 'a string', prefix);
  return { dtype, engine, simd, prefix: normalizePrefix(prefix) };
}
