/**
 * The golden-case runner, browser-safe: the CLI (`rnnport conformance`, reading golden/ from disk)
 * and the browser conformance page (fetching it) both run cases through here, with the public
 * module API only, the way a user would: build the module from the case's weights, feed it as
 * case.json's `input` recipe says, compare every expected tensor with the case's tolerance, and
 * compare the module that `fromStateDict` inferred with the configuration the case was made with.
 * case.json is written by scripts/gen_golden.py (its docstring documents the schema).
 */
import { compareTensors, type CompareResult } from '../compare.js';
import type { FloatDType } from '../dtype.js';
import { fail } from '../errors.js';
import {
  Embedding,
  fromStateDict,
  LayerNorm,
  Linear,
  PackedSequence,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  type RecurrentModule,
} from '../modules/index.js';
import { LAYER_KINDS, type EngineChoice, type LayerKind, type Mode, type ModuleKind, type SimdOption } from '../config.js';
import { tensor, type StateDict, type Tensor } from '../tensor.js';
import type { Case } from './case.js';

/** Weights formats a golden case may ship, in the order they run. */
export const GOLDEN_FORMATS = ['safetensors', 'npz', 'npy', 'pt'] as const;
export type GoldenFormat = (typeof GOLDEN_FORMATS)[number];

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
  readonly module: ModuleKind;
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
  readonly weights: Readonly<Partial<Record<GoldenFormat, string>>>;
  readonly input: GoldenInput;
  /** Tensor name (output, h_n, c_n, padded, packed_data, …) → .npy file. */
  readonly expected: Readonly<Record<string, string>>;
}

/**
 * case.json of a layer around the recurrent module (nn.Embedding, nn.Linear, nn.LayerNorm):
 * output = module(input), with the layer's constructor arguments as `options`.
 */
export interface LayerGoldenSpec extends Omit<GoldenSpec, 'module' | 'options' | 'input'> {
  readonly module: LayerKind;
  readonly options: Readonly<Record<string, number | boolean | readonly number[] | null>>;
  /** The input .npy: int64 / int32 indices for an Embedding, else a tensor of the compute dtype. */
  readonly input: { readonly kind: 'layer'; readonly input: string };
}

/** Any case.json: a recurrent module's or a layer's (told apart by `module`). */
export type AnyGoldenSpec = GoldenSpec | LayerGoldenSpec;

/** True for a layer case (module Embedding, Linear or LayerNorm). */
export function isLayerSpec(spec: AnyGoldenSpec): spec is LayerGoldenSpec {
  return (LAYER_KINDS as readonly string[]).includes(spec.module);
}

/** Where a case's files come from (a folder on disk, a web server, an archive). */
export interface GoldenFiles {
  /** The case's weights in `format` as a state_dict (for .pt, the state_dict at `pt_key`). */
  stateDict(format: GoldenFormat): StateDict | Promise<StateDict>;
  /** One of the case's .npy files. */
  tensor(file: string): Tensor | Promise<Tensor>;
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
  readonly format: GoldenFormat;
  readonly module: ModuleKind | LayerKind;
  /** PyTorch's mode string: RNN_TANH, RNN_RELU, GRU or LSTM; a layer's kind for a layer case. */
  readonly mode: Mode | LayerKind;
  /** The engine that ran it. */
  readonly engine: 'reference' | 'fast';
  /** Config and tensors all as expected. */
  readonly ok: boolean;
  /** Largest max abs error over the compared tensors. */
  readonly maxAbs: number;
  /** Where the module fromStateDict built differs from case.json (class, sizes, flags, dtype). */
  readonly configMismatches: readonly string[];
  readonly tensors: readonly TensorComparison[];
}

/** Options of `runGoldenSpec`. */
export interface RunGoldenOptions {
  /** @defaultValue 'auto' */
  readonly engine?: EngineChoice;
  /** @defaultValue 'auto' */
  readonly simd?: SimdOption;
}

/** Runs one case with the weights in `format` and compares every expected tensor. */
export async function runGoldenSpec(spec: AnyGoldenSpec, files: GoldenFiles, format: GoldenFormat, options: RunGoldenOptions = {}): Promise<GoldenResult> {
  if (spec.weights[format] === undefined) {
    throw fail('E_BAD_OPTION', { what: `weights format of golden case ${spec.name}`, expected: GOLDEN_FORMATS.filter((f) => spec.weights[f] !== undefined).join(' | '), got: format });
  }
  if (isLayerSpec(spec)) return runLayerSpec(spec, files, format, options);
  const nonlinearity = spec.options['nonlinearity'];
  const module = fromStateDict(await files.stateDict(format), {
    prefix: spec.prefix,
    dtype: spec.dtype,
    engine: options.engine ?? 'auto',
    simd: options.simd ?? 'auto',
    ...(spec.module.endsWith('Cell') ? {} : { batchFirst: spec.options['batch_first'] === true }),
    ...(nonlinearity === 'tanh' || nonlinearity === 'relu' ? { nonlinearity } : {}),
  });
  const tensors: TensorComparison[] = [];
  try {
    const compute = async (file: string): Promise<Tensor> => (await files.tensor(file)).to(spec.dtype);
    const got = await runRecipe(module, spec.input, compute, async (file) => files.tensor(file));
    tensors.push(...(await compareExpected(spec, files, got)));
  } finally {
    module.dispose(); // frees the fast engine's WASM memory, after every result was read
  }
  return result(spec, format, module.mode, module.engine, compareConfig(module, spec), tensors);
}

/** Every expected tensor of a case compared with what the run produced. */
async function compareExpected(spec: AnyGoldenSpec, files: GoldenFiles, got: ReadonlyMap<string, Tensor>): Promise<TensorComparison[]> {
  const tensors: TensorComparison[] = [];
  for (const [name, npy] of Object.entries(spec.expected)) {
    const actual = got.get(name);
    if (actual === undefined) {
      throw fail('E_INTERNAL', { what: `result "${name}" of golden case ${spec.name}`, expected: 'a tensor', got: 'none' });
    }
    const expected = await files.tensor(npy);
    tensors.push({ tensor: name, gotShape: actual.shape, expectedShape: expected.shape, result: compareTensors(actual, expected, spec) });
  }
  return tensors;
}

function result(
  spec: AnyGoldenSpec, format: GoldenFormat, mode: Mode | LayerKind, engine: 'reference' | 'fast',
  configMismatches: string[], tensors: TensorComparison[],
): GoldenResult {
  return {
    case: spec.name,
    format,
    module: spec.module,
    mode,
    engine,
    ok: configMismatches.length === 0 && tensors.every((t) => t.result.ok),
    maxAbs: Math.max(0, ...tensors.map((t) => t.result.maxAbs)),
    configMismatches,
    tensors,
  };
}

/** A layer case: build the layer at its prefix with the options the state_dict cannot tell, output = layer(input). */
async function runLayerSpec(spec: LayerGoldenSpec, files: GoldenFiles, format: GoldenFormat, options: RunGoldenOptions): Promise<GoldenResult> {
  const sd = await files.stateDict(format);
  const common = { prefix: spec.prefix, dtype: spec.dtype, engine: options.engine ?? 'auto', simd: options.simd ?? 'auto' };
  const o = spec.options;
  const num = (key: string): number | undefined => (typeof o[key] === 'number' ? (o[key] as number) : undefined);
  let layer: Embedding | Linear | LayerNorm;
  if (spec.module === 'Embedding') {
    layer = Embedding.fromStateDict(sd, { ...common, paddingIdx: num('padding_idx') ?? null, maxNorm: num('max_norm') ?? null, normType: num('norm_type') ?? 2 });
  } else if (spec.module === 'Linear') {
    layer = Linear.fromStateDict(sd, common);
  } else {
    const noAffine = o['elementwise_affine'] === false ? { elementwiseAffine: false, normalizedShape: o['normalized_shape'] as number | number[] } : {};
    layer = LayerNorm.fromStateDict(sd, { ...common, eps: num('eps') ?? 1e-5, ...noAffine });
  }
  const tensors: TensorComparison[] = [];
  try {
    const input = await files.tensor(spec.input.input);
    const output = layer instanceof Embedding ? layer.forward(input) : layer.forward(input.to(spec.dtype));
    tensors.push(...(await compareExpected(spec, files, new Map([['output', output]]))));
  } finally {
    layer.dispose();
  }
  return result(spec, format, spec.module, layer.engine, compareLayerConfig(layer, spec), tensors);
}

/**
 * Feeds the module as case.json's `input` says and collects every tensor the case may expect:
 * output, h_n, c_n, and the intermediates padded / packed_data / batch_sizes / …
 */
async function runRecipe(
  module: RecurrentModule,
  inp: GoldenInput,
  compute: (file: string) => Promise<Tensor>,
  raw: (file: string) => Promise<Tensor>,
): Promise<Map<string, Tensor>> {
  const got = new Map<string, Tensor>();
  const h0 = inp.h_0 === null ? undefined : await compute(inp.h_0);
  const c0 = inp.c_0 === null ? undefined : await compute(inp.c_0);
  const batchFirst = inp.batch_first === true;
  const sequences = (): Promise<Tensor[]> => Promise.all(required(inp.sequences, 'sequences').map(compute));
  let x: Tensor | PackedSequence;
  switch (inp.kind) {
    case 'tensor':
      x = await compute(required(inp.input, 'input'));
      break;
    case 'pack_padded_sequence':
      x = packPaddedSequence(await compute(required(inp.input, 'input')), await raw(required(inp.lengths, 'lengths')), {
        batchFirst,
        enforceSorted: inp.enforce_sorted === true,
      });
      break;
    case 'pack_sequence':
      x = packSequence(await sequences(), { enforceSorted: inp.enforce_sorted === true });
      break;
    case 'pad_sequence':
      x = padSequence(await sequences(), { batchFirst, paddingValue: inp.padding_value ?? 0 });
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
  const hx = module.mode === 'LSTM' ? (h0 !== undefined && c0 !== undefined ? ([h0, c0] as const) : undefined) : h0;
  const { output, hN, cN } = module.forward(x, hx);
  if (output instanceof PackedSequence) {
    const padded = padPackedSequence(output, {
      batchFirst,
      paddingValue: inp.padding_value ?? 0,
      ...(inp.total_length != null ? { totalLength: inp.total_length } : {}),
    });
    got.set('output', padded[0]);
  } else {
    got.set('output', output);
  }
  got.set('h_n', hN);
  if (cN !== undefined) got.set('c_n', cN);
  return got;
}

/** The module fromStateDict built against case.json: its class and every inferred option. */
function compareConfig(module: RecurrentModule, spec: GoldenSpec): string[] {
  const out: string[] = [];
  const check = (what: string, got: unknown, expected: unknown): void => {
    if (got !== expected) out.push(`${what}: got ${String(got)}, expected ${String(expected)}`);
  };
  check('module', module.kind, spec.module);
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

/**
 * A golden case as the case that `rnnport run` (and so `--impl`, the ONNX check and the
 * compatibility table) can express: a plain input, or a packed one (pack_padded_sequence with
 * padding 0 and total_length absent or T, run with enforce_sorted=False, which gives the same
 * results). Others (pack_sequence / pad_sequence recipes, another padding value or total_length)
 * are not expressible: the reason comes back instead. Weights: the case's safetensors file.
 */
export async function expressGolden(any: AnyGoldenSpec, files: GoldenFiles): Promise<Case | { readonly notExpressible: string }> {
  if (isLayerSpec(any)) return { notExpressible: `an nn.${any.module} case (run takes recurrent modules)` };
  const spec = any;
  const inp = spec.input;
  if (inp.kind !== 'tensor' && inp.kind !== 'pack_padded_sequence') return { notExpressible: `built with ${inp.kind}, which run does not take` };
  if ((inp.padding_value ?? 0) !== 0) return { notExpressible: `padding_value ${inp.padding_value} (run pads with 0)` };
  const format = GOLDEN_FORMATS.find((f) => spec.weights[f] !== undefined) as GoldenFormat;
  const input = (await files.tensor(required(inp.input, 'input'))).to(spec.dtype);
  const T = input.shape[inp.batch_first === true ? 1 : 0];
  if (inp.total_length != null && inp.total_length !== T) return { notExpressible: `total_length ${inp.total_length} ≠ T = ${T} (run pads to T)` };
  const compute = async (file: string | null): Promise<Tensor | undefined> => (file === null ? undefined : (await files.tensor(file)).to(spec.dtype));
  const expected = async (name: string): Promise<Tensor | undefined> => (spec.expected[name] === undefined ? undefined : (await files.tensor(spec.expected[name] as string)).to(spec.dtype));
  const [h0, c0, output, hN, cN] = await Promise.all([compute(inp.h_0), compute(inp.c_0), expected('output'), expected('h_n'), expected('c_n')]);
  const lengths = inp.kind === 'pack_padded_sequence' ? await files.tensor(required(inp.lengths, 'lengths')) : undefined;
  return {
    name: spec.name,
    description: {
      schema: 1,
      name: spec.name,
      module: spec.module,
      options: spec.options,
      prefix: spec.prefix,
      packed: lengths !== undefined,
      enforce_sorted: inp.enforce_sorted === true,
      dtype: spec.dtype,
      tolerance: { atol: spec.atol, rtol: spec.rtol },
      torch: spec.torch,
      created_by: 'scripts/gen_golden.py',
    },
    weights: await files.stateDict(format),
    input,
    ...(h0 !== undefined && { h0 }),
    ...(c0 !== undefined && { c0 }),
    ...(lengths !== undefined && { lengths }),
    expected: { output: output as Tensor, hN: hN as Tensor, ...(cN !== undefined && { cN }) },
  };
}

/** The layer fromStateDict built against case.json's constructor arguments. */
function compareLayerConfig(layer: Embedding | Linear | LayerNorm, spec: LayerGoldenSpec): string[] {
  const o = spec.options;
  const got: Record<string, unknown> = { module: layer.kind, dtype: layer.dtype };
  const expected: Record<string, unknown> = { module: spec.module, dtype: spec.dtype };
  if (layer instanceof Embedding) {
    const n = o['num_embeddings'] as number;
    const p = (o['padding_idx'] ?? null) as number | null;
    Object.assign(got, { num_embeddings: layer.numEmbeddings, embedding_dim: layer.embeddingDim, padding_idx: layer.paddingIdx, max_norm: layer.maxNorm });
    Object.assign(expected, { num_embeddings: n, embedding_dim: o['embedding_dim'], padding_idx: p !== null && p < 0 ? p + n : p, max_norm: o['max_norm'] ?? null });
  } else if (layer instanceof Linear) {
    Object.assign(got, { in_features: layer.inFeatures, out_features: layer.outFeatures, bias: layer.bias });
    Object.assign(expected, { in_features: o['in_features'], out_features: o['out_features'], bias: o['bias'] ?? true });
  } else {
    const shape = o['normalized_shape'];
    const affine = o['elementwise_affine'] ?? true;
    Object.assign(got, { normalized_shape: layer.normalizedShape.join(', '), elementwise_affine: layer.elementwiseAffine, bias: layer.bias, eps: layer.eps });
    Object.assign(expected, { normalized_shape: String(shape).split(',').join(', '), elementwise_affine: affine, bias: affine === true && (o['bias'] ?? true), eps: o['eps'] ?? 1e-5 });
  }
  return Object.keys(expected).filter((k) => got[k] !== expected[k]).map((k) => `${k}: got ${String(got[k])}, expected ${String(expected[k])}`);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw fail('E_BAD_OPTION', { what: `golden case input.${what}`, expected: 'a file name', got: 'none' });
  return value;
}
