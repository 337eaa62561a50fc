/**
 * From a state_dict to a module's constructor options: the module a prefix selects, its kind and
 * configuration read once from the parameter shapes (src/state-dict/infer.ts), and the caller's
 * choices for what shapes cannot tell (nonlinearity, batchFirst, dtype, engine).
 */
import { familyOf, gateCount, isCell, paramName, type EngineChoice, type ModuleKind, type Nonlinearity, type SimdOption } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import type { ModuleInfo } from '../state-dict/infer.js';
import { resolveModule } from '../state-dict/select.js';
import type { Tensor } from '../tensor.js';
import type { AnyOptions } from './options.js';

/** What `fromStateDict` lets a caller choose. */
export interface FromStateDictOptions {
  /** The module's key prefix; a parent prefix holding one module selects it. Needed when there are several. */
  readonly prefix?: string;
  /** The kind the module must be (E_PARAMETER_SHAPE / E_MISSING_PARAMETER otherwise); narrows the return type. */
  readonly kind?: ModuleKind;
  /** nn.RNN only (weights cannot tell tanh from relu). @defaultValue 'tanh' */
  readonly nonlinearity?: Nonlinearity;
  /** Not for cells. @defaultValue false */
  readonly batchFirst?: boolean;
  /** @defaultValue 'float64' when every weight is float64, else 'float32' */
  readonly dtype?: FloatDType;
  /** @defaultValue 'auto' */
  readonly engine?: EngineChoice;
  /** Fast engine's kernel build (see CommonOptions). @defaultValue 'auto' */
  readonly simd?: SimdOption;
}

/** A state_dict: parameter names (with any module prefix) → tensors. */
export type StateDictLike = ReadonlyMap<string, Tensor>;

/** Checks the arguments of a `fromStateDict` call: a loaded state_dict and an options object. */
export function checkFromStateDictArgs(api: string, sd: unknown, options: unknown): void {
  const index = sd as { load?: unknown; tensors?: unknown } | null;
  if (typeof index === 'object' && index !== null && typeof index.load === 'function' && index.tensors instanceof Map) {
    throw badArgument(`${api}(sd)`, 'a loaded state_dict: call .load() on the opened weights first', sd);
  }
  const map = sd as { get?: unknown; keys?: unknown } | null;
  if (typeof map !== 'object' || map === null || typeof map.get !== 'function' || typeof map.keys !== 'function') {
    throw badArgument(`${api}(sd)`, 'a state_dict: a Map of PyTorch name → Tensor (from loadStateDict or openStateDict(path).load())', sd);
  }
  if (typeof options !== 'object' || options === null) throw badArgument(`${api}(sd, options)`, 'an options object', options);
}

/**
 * The constructor options of the module `info` describes, as a `kind` module. A module of another
 * kind is E_PARAMETER_SHAPE (gate rows) or E_MISSING_PARAMETER (a cell where a layered module was
 * asked for, or the reverse).
 */
export function optionsFromInfo(kind: ModuleKind, info: ModuleInfo, options: FromStateDictOptions): AnyOptions {
  const cell = isCell(kind);
  if (isCell(info.kind) !== cell) {
    const key = info.prefix + paramName('weight_ih', cell ? null : 0);
    throw fail('E_MISSING_PARAMETER', { what: `parameter ${key}`, expected: `a ${kind}`, got: `a ${info.kind} at this prefix`, at: key });
  }
  if (familyOf(info.kind) !== familyOf(kind)) {
    const key = info.prefix + paramName('weight_hh', cell ? null : 0);
    const H = info.config.hiddenSize;
    throw fail('E_PARAMETER_SHAPE', {
      what: `rows of ${key}`,
      expected: `${gateCount(kind)}·hidden_size = ${gateCount(kind) * H} (${kind})`,
      got: `${gateCount(info.kind) * H} (${info.kind})`,
      at: key,
    });
  }
  const { inputSize, hiddenSize, bias, numLayers, bidirectional, projSize } = info.config;
  return {
    inputSize,
    hiddenSize,
    bias,
    prefix: info.prefix,
    ...(cell ? {} : { numLayers, bidirectional }),
    ...(projSize > 0 ? { projSize } : {}),
    ...(options.nonlinearity === undefined ? {} : { nonlinearity: options.nonlinearity }),
    ...(options.batchFirst === undefined ? {} : { batchFirst: options.batchFirst }),
    ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.simd === undefined ? {} : { simd: options.simd }),
  };
}

/** Finds the module `options.prefix` selects in `sd` (inferred once) and gives its options as a `kind` module. */
export function optionsFromStateDict(kind: ModuleKind, sd: StateDictLike, options: FromStateDictOptions): AnyOptions {
  checkFromStateDictArgs(`${kind}.fromStateDict`, sd, options);
  if (options.kind !== undefined && options.kind !== kind) {
    throw fail('E_BAD_OPTION', { what: `${kind}.fromStateDict options.kind`, expected: `'${kind}' or none`, got: JSON.stringify(options.kind) });
  }
  return optionsFromInfo(kind, resolveModule(sd, options.prefix), options);
}
