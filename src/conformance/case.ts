/**
 * Case files (docs/case-format.md): one safetensors file per call of a PyTorch recurrent module —
 * its weights under their own names, the inputs (`__case__.input`, `__case__.h_0`, `__case__.c_0`,
 * `__case__.lengths`), what PyTorch returned (`__case__.output`, `__case__.h_n`, `__case__.c_n`),
 * and the description as JSON in `__metadata__["rnnport.case"]`. Written by
 * python/rnnport_capture.py; read here, browser-safe, and checked strictly: a file that is not a
 * schema-1 case is E_CASE_FORMAT naming what is wrong.
 */
import { MODULE_KINDS, isCell, type ModuleKind, type Nonlinearity } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import type { WeightsIndex } from '../io/weights-index.js';
import { openWeights } from '../io/load.js';
import { saveSafetensors } from '../io/safetensors.js';
import { bytesSource } from '../io/source.js';
import type { Tolerance } from '../compare.js';
import { formatShape, type StateDict, type Tensor } from '../tensor.js';

/** The metadata key holding a case's description. */
export const CASE_METADATA_KEY = 'rnnport.case';
/** The prefix of a case's own tensors (everything else is the module's weights). */
export const CASE_TENSOR_PREFIX = '__case__.';

/** `__metadata__["rnnport.case"]`, schema 1: PyTorch's names, as python/rnnport_capture.py writes it. */
export interface CaseDescription {
  readonly schema: 1;
  readonly name: string | null;
  /** The torch.nn class. */
  readonly module: ModuleKind;
  /** Its constructor arguments, PyTorch's names (`input_size`, `batch_first`, `nonlinearity`, …). */
  readonly options: Readonly<Record<string, number | boolean | string>>;
  /** Where the module's tensors sit: '' or a path ending in a dot. */
  readonly prefix: string;
  readonly packed: boolean;
  readonly enforce_sorted: boolean;
  /** The compute dtype of parameters, inputs, states and outputs. */
  readonly dtype: FloatDType;
  readonly tolerance: Tolerance;
  /** What produced the expected values (torch.__version__; another writer may name itself in created_by). */
  readonly torch: string | null;
  readonly python?: string;
  readonly platform?: string;
  readonly device?: string;
  readonly created_by?: string;
}

/** One case, read: the weights, the inputs and PyTorch's outputs. */
export interface Case {
  /** The description's name, else the source's. */
  readonly name: string;
  readonly description: CaseDescription;
  /** The module's parameters under their full names (prefix included). */
  readonly weights: StateDict;
  readonly input: Tensor;
  readonly h0?: Tensor;
  readonly c0?: Tensor;
  /** int64, one per sequence: a packed case. */
  readonly lengths?: Tensor;
  readonly expected: { readonly output: Tensor; readonly hN: Tensor; readonly cN?: Tensor };
}

const bad = (what: string, expected: string, got: string, at: string): Error => fail('E_CASE_FORMAT', { what, expected, got, at });

/** Reads a case file (its bytes, or the index `openWeights` / `openStateDict` made of it). */
export function loadCase(source: Uint8Array | ArrayBuffer | WeightsIndex, name?: string): Case {
  let index: WeightsIndex;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    index = openWeights(bytesSource(source instanceof Uint8Array ? source : new Uint8Array(source), name ?? '<case>'));
  } else if (typeof source === 'object' && source !== null && typeof (source as WeightsIndex).load === 'function' && (source as WeightsIndex).tensors instanceof Map) {
    index = source;
  } else {
    throw badArgument('loadCase(source)', 'the bytes of a case file, or the index openStateDict / openWeights made of it', source);
  }
  const at = index.name;
  const text = index.format === 'safetensors' ? index.metadata[CASE_METADATA_KEY] : undefined;
  if (text === undefined) throw bad('case file', `a safetensors file with __metadata__["${CASE_METADATA_KEY}"]`, index.format === 'safetensors' ? 'no case description' : `a ${index.format} file`, at);
  const description = parseDescription(text, at);
  const all = index.load();
  const own = (key: string, required: boolean): Tensor | undefined => {
    const t = all.get(CASE_TENSOR_PREFIX + key);
    if (t === undefined && required) throw bad(`tensor ${CASE_TENSOR_PREFIX}${key}`, 'present', 'missing', at);
    return t;
  };
  const weights: StateDict = new Map([...all].filter(([key]) => !key.startsWith(CASE_TENSOR_PREFIX)));
  const lstm = description.module === 'LSTM' || description.module === 'LSTMCell';
  const c: Case = {
    name: description.name ?? at.replace(/^.*[/\\]/, '').replace(/\.safetensors$/, ''),
    description,
    weights,
    input: own('input', true) as Tensor,
    ...optional('h0', own('h_0', false)),
    ...optional('c0', own('c_0', false)),
    ...optional('lengths', own('lengths', description.packed)),
    expected: { output: own('output', true) as Tensor, hN: own('h_n', true) as Tensor, ...optional('cN', own('c_n', lstm)) },
  };
  if (lstm && (c.h0 === undefined) !== (c.c0 === undefined)) throw bad('initial state', '__case__.h_0 and __case__.c_0 together (an LSTM state is the pair)', 'one of them', at);
  if (c.lengths !== undefined && c.lengths.dtype !== 'int64' && c.lengths.dtype !== 'int32') throw bad(`${CASE_TENSOR_PREFIX}lengths`, 'int64', c.lengths.dtype, at);
  for (const [key, t] of [['input', c.input], ['h_0', c.h0], ['c_0', c.c0], ['output', c.expected.output], ['h_n', c.expected.hN], ['c_n', c.expected.cN]] as const) {
    if (t !== undefined && t.dtype !== description.dtype) throw bad(`dtype of ${CASE_TENSOR_PREFIX}${key}`, `${description.dtype} (the case's dtype)`, `${t.dtype} ${formatShape(t.shape)}`, at);
  }
  return c;
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));

function parseDescription(text: string, at: string): CaseDescription {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw bad(`__metadata__["${CASE_METADATA_KEY}"]`, 'JSON', `invalid JSON (${(e as Error).message})`, at);
  }
  const field = (name: string): string => `case description field "${name}"`;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw bad(`__metadata__["${CASE_METADATA_KEY}"]`, 'a JSON object', typeof d, at);
  if (d['schema'] !== 1) throw bad(field('schema'), '1 (this rnnport reads schema 1)', JSON.stringify(d['schema']) ?? 'none', at);
  const module = d['module'];
  if (typeof module !== 'string' || !MODULE_KINDS.includes(module as ModuleKind)) throw bad(field('module'), MODULE_KINDS.join(' | '), JSON.stringify(module) ?? 'none', at);
  const options = d['options'];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw bad(field('options'), 'an object of constructor arguments', JSON.stringify(options) ?? 'none', at);
  for (const [key, value] of Object.entries(options)) {
    if (!['number', 'boolean', 'string'].includes(typeof value)) throw bad(field(`options.${key}`), 'a number, boolean or string', JSON.stringify(value) ?? 'none', at);
  }
  const prefix = d['prefix'];
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.endsWith('.'))) throw bad(field('prefix'), "'' or a path ending in '.'", JSON.stringify(prefix) ?? 'none', at);
  const dtype = d['dtype'];
  if (dtype !== 'float32' && dtype !== 'float64') throw bad(field('dtype'), "'float32' or 'float64'", JSON.stringify(dtype) ?? 'none', at);
  const tol = d['tolerance'] as Record<string, unknown> | null;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (typeof tol !== 'object' || tol === null || !finite(tol['atol']) || !finite(tol['rtol'])) throw bad(field('tolerance'), '{ atol, rtol }, numbers ≥ 0', JSON.stringify(tol) ?? 'none', at);
  for (const flag of ['packed', 'enforce_sorted']) {
    if (typeof d[flag] !== 'boolean') throw bad(field(flag), 'true or false', JSON.stringify(d[flag]) ?? 'none', at);
  }
  if (d['packed'] === true && isCell(module as ModuleKind)) throw bad(field('packed'), 'false for a cell (one step)', 'true', at);
  const name = d['name'];
  if (name !== undefined && name !== null && typeof name !== 'string') throw bad(field('name'), 'a string or null', JSON.stringify(name), at);
  return { ...(d as object), name: (name ?? null) as string | null, tolerance: { atol: tol['atol'] as number, rtol: tol['rtol'] as number }, torch: typeof d['torch'] === 'string' ? d['torch'] : null } as CaseDescription;
}

/** What `rnnport run` is told about a case: `--nonlinearity`, `--batch-first`, `--dtype`, `--prefix`. */
export interface RunSettings {
  readonly prefix: string;
  readonly batchFirst: boolean;
  readonly nonlinearity?: Nonlinearity;
  readonly dtype: FloatDType;
}

/** The run settings a case implies (the options PyTorch's constructor got that weights cannot tell). */
export function runSettings(c: Case): RunSettings {
  const nonlinearity = c.description.options['nonlinearity'];
  return {
    prefix: c.description.prefix,
    batchFirst: !isCell(c.description.module) && c.description.options['batch_first'] === true,
    dtype: c.description.dtype,
    ...(nonlinearity === 'tanh' || nonlinearity === 'relu' ? { nonlinearity } : {}),
  };
}

/** A case as a case file's bytes (safetensors: weights, `__case__.*` tensors, the description). */
export function saveCase(c: Case): Uint8Array<ArrayBuffer> {
  const tensors = new Map(c.weights);
  const own: [string, Tensor | undefined][] = [
    ['input', c.input], ['h_0', c.h0], ['c_0', c.c0], ['lengths', c.lengths],
    ['output', c.expected.output], ['h_n', c.expected.hN], ['c_n', c.expected.cN],
  ];
  for (const [key, t] of own) if (t !== undefined) tensors.set(CASE_TENSOR_PREFIX + key, t);
  return saveSafetensors(tensors, { [CASE_METADATA_KEY]: JSON.stringify(c.description) });
}
