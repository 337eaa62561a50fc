/**
 * The golden cases: folders of PyTorch results written by scripts/gen_golden.py (its docstring
 * documents case.json). `rnnport conformance` and test/conformance/ both run them through here,
 * with the public API only, the way a user would: load the weights, find the module, pack as the
 * case's recipe says, forward, compare every expected tensor with the case's tolerance.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTensors, type CompareResult } from '../compare.js';
import type { FloatDType } from '../dtype.js';
import { fail, RnnportError } from '../errors.js';
import {
  fromStateDict,
  GRU,
  GRUCell,
  LSTM,
  LSTMCell,
  PackedSequence,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  RNN,
  RNNCell,
  tensor,
  type EngineChoice,
  type RecurrentModule,
  type Tensor,
} from '../index.js';
import { openStateDict, readNpyFile } from '../node.js';

/** Weights formats a case may ship, in the order they run. */
export const WEIGHTS_FORMATS = ['safetensors', 'npz', 'npy', 'pt'] as const;
export type WeightsFormat = (typeof WEIGHTS_FORMATS)[number];

/** torch.nn class of a case. */
export type GoldenModule = 'RNN' | 'GRU' | 'LSTM' | 'RNNCell' | 'GRUCell' | 'LSTMCell';

/** How the inputs reach the module (the `recipe` line of case.json says it in PyTorch). */
export interface GoldenInput {
  readonly kind: 'tensor' | 'pack_padded_sequence' | 'pack_sequence' | 'pad_sequence';
  readonly input?: string;
  readonly sequences?: readonly string[];
  readonly lengths?: string;
  readonly h_0: string | null;
  readonly c_0: string | null;
  readonly enforce_sorted?: boolean;
  readonly batch_first?: boolean;
  readonly padding_value?: number;
  readonly total_length?: number | null;
}

/** case.json, as written by scripts/gen_golden.py (PyTorch's option names). */
export interface GoldenSpec {
  readonly schema: 1;
  readonly name: string;
  readonly module: GoldenModule;
  readonly options: Readonly<Record<string, number | boolean | string>>;
  readonly prefix: string;
  readonly pt_key: string | null;
  readonly seed: number;
  readonly dtype: FloatDType;
  readonly weights_dtype: string;
  readonly atol: number;
  readonly rtol: number;
  readonly torch: string;
  readonly covers: string;
  readonly weights: Readonly<Partial<Record<WeightsFormat, string>>>;
  readonly input: GoldenInput;
  /** Tensor name (output, h_n, c_n, padded, packed_data, …) → .npy file. */
  readonly expected: Readonly<Record<string, string>>;
}

/** One case folder. */
export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly spec: GoldenSpec;
  /** The weights formats this case ships, in WEIGHTS_FORMATS order. */
  readonly formats: readonly WeightsFormat[];
}

/** The comparison of one expected tensor. */
export interface TensorComparison {
  readonly tensor: string;
  readonly gotShape: readonly number[];
  readonly expectedShape: readonly number[];
  readonly result: CompareResult;
}

/** One case run through one weights format. */
export interface GoldenResult {
  readonly case: string;
  readonly format: WeightsFormat;
  readonly module: GoldenModule;
  /** PyTorch's mode string: RNN_TANH, RNN_RELU, GRU or LSTM. */
  readonly mode: RecurrentModule['mode'];
  /** The engine that ran it. */
  readonly engine: RecurrentModule['engine'];
  /** Config and tensors all as expected. */
  readonly ok: boolean;
  /** Largest max abs error over the compared tensors. */
  readonly maxAbs: number;
  /** Where the module fromStateDict built differs from case.json (class, sizes, flags, dtype). */
  readonly configMismatches: readonly string[];
  readonly tensors: readonly TensorComparison[];
}

/** golden/ of this package, found from this file's URL (works from src/, dist/ and node_modules). */
export function defaultGoldenDir(): string {
  return fileURLToPath(new URL('../../golden/', import.meta.url));
}

/** The cases under `dir` whose name contains `filter`, sorted by name. An unreadable folder or case.json is E_IO. */
export function listGoldenCases(dir: string, filter?: string): GoldenCase[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && (filter === undefined || e.name.includes(filter)))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw ioError('golden directory', dir, e);
  }
  return names.map((name) => {
    const caseDir = join(dir, name);
    const path = join(caseDir, 'case.json');
    let spec: GoldenSpec;
    try {
      spec = JSON.parse(readFileSync(path, 'utf8')) as GoldenSpec;
    } catch (e) {
      throw ioError('golden case.json', path, e);
    }
    if (spec.schema !== 1 || spec.name !== name) {
      throw fail('E_BAD_OPTION', { what: 'golden case.json', expected: `schema 1, name "${name}"`, got: `schema ${spec.schema}, name "${spec.name}"`, at: path });
    }
    return { name, dir: caseDir, spec, formats: WEIGHTS_FORMATS.filter((f) => spec.weights[f] !== undefined) };
  });
}

function ioError(what: string, path: string, e: unknown): RnnportError {
  const got = e instanceof SyntaxError ? `invalid JSON (${e.message})` : String((e as { code?: unknown }).code ?? e);
  return new RnnportError('E_IO', { what, expected: 'a readable golden case folder', got, at: path }, { cause: e });
}

/** Options of `runGoldenCase`. */
export interface RunGoldenOptions {
  /** @defaultValue 'auto' */
  readonly engine?: EngineChoice;
}

/** Runs one case with the weights in `format` and compares every expected tensor. */
export async function runGoldenCase(c: GoldenCase, format: WeightsFormat, options: RunGoldenOptions = {}): Promise<GoldenResult> {
  const { spec, dir } = c;
  const file = spec.weights[format];
  if (file === undefined) {
    throw fail('E_BAD_OPTION', { what: `weights format of golden case ${c.name}`, expected: c.formats.join(' | '), got: format });
  }
  const key = format === 'pt' && spec.pt_key !== null ? { key: spec.pt_key } : {};
  const stateDict = openStateDict(join(dir, file), key).load();
  const nonlinearity = spec.options['nonlinearity'];
  const module = fromStateDict(stateDict, {
    prefix: spec.prefix,
    dtype: spec.dtype,
    engine: options.engine ?? 'auto',
    ...(spec.module.endsWith('Cell') ? {} : { batchFirst: spec.options['batch_first'] === true }),
    ...(nonlinearity === 'tanh' || nonlinearity === 'relu' ? { nonlinearity } : {}),
  });
  const tensors: TensorComparison[] = [];
  try {
    const got = runRecipe(module, spec.input, (name) => readNpyFile(join(dir, name)).to(spec.dtype), (name) => readNpyFile(join(dir, name)));
    for (const [name, npy] of Object.entries(spec.expected)) {
      const actual = got.get(name);
      if (actual === undefined) {
        throw fail('E_INTERNAL', { what: `result "${name}" of golden case ${c.name}`, expected: 'a tensor', got: 'none' });
      }
      const expected = readNpyFile(join(dir, npy));
      tensors.push({ tensor: name, gotShape: actual.shape, expectedShape: expected.shape, result: compareTensors(actual, expected, spec) });
    }
  } finally {
    module.dispose(); // frees the fast engine's WASM memory, after every result was read
  }
  const configMismatches = compareConfig(module, spec);
  return {
    case: c.name,
    format,
    module: spec.module,
    mode: module.mode,
    engine: module.engine,
    ok: configMismatches.length === 0 && tensors.every((t) => t.result.ok),
    maxAbs: Math.max(0, ...tensors.map((t) => t.result.maxAbs)),
    configMismatches,
    tensors,
  };
}

/**
 * Feeds the module as case.json's `input.recipe` says and collects every tensor the case may
 * expect: output, h_n, c_n, and the intermediates padded / packed_data / batch_sizes / …
 */
function runRecipe(module: RecurrentModule, inp: GoldenInput, compute: (file: string) => Tensor, raw: (file: string) => Tensor): Map<string, Tensor> {
  const got = new Map<string, Tensor>();
  const h0 = inp.h_0 === null ? undefined : compute(inp.h_0);
  const c0 = inp.c_0 === null ? undefined : compute(inp.c_0);
  const batchFirst = inp.batch_first === true;
  let x: Tensor | PackedSequence;
  switch (inp.kind) {
    case 'tensor':
      x = compute(required(inp.input, 'input'));
      break;
    case 'pack_padded_sequence':
      x = packPaddedSequence(compute(required(inp.input, 'input')), raw(required(inp.lengths, 'lengths')), {
        batchFirst,
        enforceSorted: inp.enforce_sorted === true,
      });
      break;
    case 'pack_sequence':
      x = packSequence(required(inp.sequences, 'sequences').map(compute), { enforceSorted: inp.enforce_sorted === true });
      break;
    case 'pad_sequence':
      x = padSequence(required(inp.sequences, 'sequences').map(compute), { batchFirst, paddingValue: inp.padding_value ?? 0 });
      got.set('padded', x);
      break;
  }
  if (x instanceof PackedSequence) {
    const index = (a: Int32Array): Tensor => tensor(a, [a.length]);
    got.set('packed_data', x.data);
    got.set('batch_sizes', index(x.batchSizes));
    if (x.sortedIndices !== null) got.set('sorted_indices', index(x.sortedIndices));
    if (x.unsortedIndices !== null) got.set('unsorted_indices', index(x.unsortedIndices));
  }
  const { output, hN, cN } = forward(module, x, h0, c0);
  if (output instanceof PackedSequence) {
    const padded = padPackedSequence(output, {
      batchFirst,
      paddingValue: inp.padding_value ?? 0,
      ...(inp.total_length != null ? { totalLength: inp.total_length } : {}),
    });
    got.set('output', padded[0]);
  } else if (output !== undefined) {
    got.set('output', output);
  }
  got.set('h_n', hN);
  if (cN !== undefined) got.set('c_n', cN);
  return got;
}

interface Outputs {
  readonly output?: Tensor | PackedSequence;
  readonly hN: Tensor;
  readonly cN?: Tensor;
}

function forward(module: RecurrentModule, x: Tensor | PackedSequence, h0: Tensor | undefined, c0: Tensor | undefined): Outputs {
  const pair: readonly [Tensor, Tensor] | undefined = h0 !== undefined && c0 !== undefined ? [h0, c0] : undefined;
  if (module instanceof LSTM) return x instanceof PackedSequence ? module.forward(x, pair) : module.forward(x, pair);
  if (module instanceof RNN || module instanceof GRU) return x instanceof PackedSequence ? module.forward(x, h0) : module.forward(x, h0);
  if (x instanceof PackedSequence) {
    throw fail('E_BAD_OPTION', { what: 'golden cell case input', expected: 'a tensor', got: 'a PackedSequence' });
  }
  return module instanceof LSTMCell ? module.forward(x, pair) : module.forward(x, h0);
}

const CLASSES = { RNN, GRU, LSTM, RNNCell, GRUCell, LSTMCell } as const;

/** The module fromStateDict built against case.json: its class and every inferred option. */
function compareConfig(module: RecurrentModule, spec: GoldenSpec): string[] {
  const out: string[] = [];
  const check = (what: string, got: unknown, expected: unknown): void => {
    if (got !== expected) out.push(`${what}: got ${String(got)}, expected ${String(expected)}`);
  };
  check('module', module instanceof CLASSES[spec.module], true);
  const o = spec.options;
  check('input_size', module.inputSize, o['input_size']);
  check('hidden_size', module.hiddenSize, o['hidden_size']);
  check('bias', module.bias, o['bias']);
  if ('numLayers' in module) {
    check('num_layers', module.numLayers, o['num_layers']);
    check('bidirectional', module.bidirectional, o['bidirectional']);
    check('batch_first', module.batchFirst, o['batch_first']);
    check('proj_size', module.projSize, o['proj_size'] ?? 0);
  }
  check('dtype', module.dtype, spec.dtype);
  return out;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw fail('E_BAD_OPTION', { what: `golden case input.${what}`, expected: 'a file name', got: 'none' });
  return value;
}
