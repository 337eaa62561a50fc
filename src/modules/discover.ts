/**
 * Options for `X.fromStateDict`: the module a prefix selects, its configuration read from the
 * parameter shapes (src/state-dict/infer.ts), and the caller's choices for what shapes cannot
 * tell (nonlinearity, batchFirst, dtype, engine).
 */
import type { FloatDType } from '../dtype.js';
import { fail } from '../errors.js';
import type { SimdOption } from '../fast/wasm.js';
import type { ModuleKind } from '../state-dict/infer.js';
import { paramName } from '../state-dict/names.js';
import { resolveModule } from '../state-dict/select.js';
import type { Tensor } from '../tensor.js';
import type { EngineChoice, LSTMOptions, Nonlinearity, RNNCellOptions, RNNOptions } from './options.js';

/** What `fromStateDict` lets a caller choose. */
export interface FromStateDictOptions {
  /** The module's key prefix; a parent prefix holding one module selects it. Needed when there are several. */
  readonly prefix?: string;
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

const GATES: Readonly<Record<string, number>> = { RNN: 1, GRU: 3, LSTM: 4 };

/**
 * The constructor options for a `kind` module found in `sd`. A module of another kind under
 * the prefix is E_PARAMETER_SHAPE (gate rows) or E_MISSING_PARAMETER (a cell where a layered
 * module was asked for, or the reverse).
 */
export function optionsFromStateDict(kind: ModuleKind, sd: StateDictLike, options: FromStateDictOptions): RNNOptions & LSTMOptions & RNNCellOptions {
  const info = resolveModule(sd, options.prefix);
  const cell = kind.endsWith('Cell');
  const base = cell ? kind.slice(0, -4) : kind;
  const found = info.kind.endsWith('Cell') ? info.kind.slice(0, -4) : info.kind;
  if (info.kind.endsWith('Cell') !== cell) {
    const key = info.prefix + paramName('weight_ih', cell ? null : 0);
    throw fail('E_MISSING_PARAMETER', { what: `parameter ${key}`, expected: `a ${kind}`, got: `a ${info.kind} at this prefix`, at: key });
  }
  if (found !== base) {
    const key = info.prefix + paramName('weight_hh', cell ? null : 0);
    const H = info.config.hiddenSize;
    throw fail('E_PARAMETER_SHAPE', {
      what: `rows of ${key}`,
      expected: `${GATES[base]}·hidden_size = ${GATES[base]! * H} (${kind})`,
      got: `${GATES[found]! * H} (${info.kind})`,
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
