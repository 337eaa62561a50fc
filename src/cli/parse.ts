/**
 * argv → a typed `Command`. Pure: no process, no files. Flags and their spelling are the
 * external contract (docs/cli.md; `run`'s above all: outside conformance checks drive it).
 *
 * A usage error (unknown flag, missing argument, unparsable value) is returned, not thrown, with
 * the usage line of the command it concerns; `main.ts` prints both and exits 2. Options that
 * parse but do not apply to the module found (`--c0` for a GRU) are checked later, by the
 * commands, as E_BAD_OPTION (exit 1): only the weights tell.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { EngineChoice, Family, Nonlinearity, SimdOption } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { fail, type RnnportError } from '../errors.js';
import type { ExplainModuleConfig } from '../explain/facts.js';

/** Where the weights come from: WEIGHTS, `--key` inside a .pt checkpoint, `--prefix` of the module. */
export interface WeightsArgs {
  readonly weights: string;
  readonly key: string | undefined;
  readonly prefix: string | undefined;
}

/** `--lengths`, in every command that has it: a list `5,3,2`, or a .npy file of int32 / int64. */
export type LengthsArg = { readonly list: readonly number[] } | { readonly file: string };

/** What `run`, `verify` and `bench` feed the module. */
export interface RunArgs extends WeightsArgs {
  readonly input: string;
  readonly h0: string | undefined;
  readonly c0: string | undefined;
  readonly lengths: LengthsArg | undefined;
  readonly batchFirst: boolean;
  readonly nonlinearity: Nonlinearity | undefined;
  readonly dtype: FloatDType | undefined;
  readonly engine: EngineChoice;
  readonly simd: SimdOption;
}

export interface ConformanceCommand {
  readonly name: 'conformance';
  readonly golden: string | undefined;
  readonly filter: string | undefined;
  readonly json: string | undefined;
  /** `--impl 'CMD'`: check an external program that follows `run`'s contract instead of rnnport. */
  readonly impl: string | undefined;
  readonly engine: EngineChoice;
  readonly simd: SimdOption;
}

export interface InspectCommand {
  readonly name: 'inspect';
  readonly weights: string;
  readonly key: string | undefined;
  readonly json: boolean;
}

export interface RunCommand extends RunArgs {
  readonly name: 'run';
  readonly out: string;
}

/** `verify WEIGHTS --input …` compares with .npy files; `verify CASE.safetensors` needs nothing else (`input` undefined). */
export interface VerifyCommand extends Omit<RunArgs, 'input'> {
  readonly name: 'verify';
  readonly input: string | undefined;
  readonly expectedOutput: string | undefined;
  readonly expectedHN: string | undefined;
  readonly expectedCN: string | undefined;
  readonly atol: number | undefined;
  readonly rtol: number | undefined;
}

export interface BenchCommand extends Omit<RunArgs, 'engine'> {
  readonly name: 'bench';
  /** `onnxruntime`: through the onnxruntime-node the current project has installed (rnnport/onnx). */
  readonly engine: EngineChoice | 'onnxruntime';
  readonly warmup: number;
  readonly repeat: number;
  readonly stream: boolean;
  readonly json: boolean;
}

/** `explain` takes either WEIGHTS (the config is inferred) or `--mode` and sizes. */
export interface ExplainCommand {
  readonly name: 'explain';
  readonly source:
    | { readonly kind: 'weights'; readonly weights: string; readonly key: string | undefined; readonly prefix: string | undefined }
    | { readonly kind: 'config'; readonly config: ExplainModuleConfig };
  readonly seqLen: number | undefined;
  readonly batch: number | undefined;
  readonly lengths: LengthsArg | undefined;
  readonly batchFirst: boolean;
  readonly svg: string | undefined;
  readonly json: boolean;
}

/** `export WEIGHTS --onnx OUT.onnx`: the module as an ONNX model (rnnport/onnx `toOnnx`). */
export interface ExportCommand extends WeightsArgs {
  readonly name: 'export';
  readonly onnx: string;
  readonly nonlinearity: Nonlinearity | undefined;
  readonly batchFirst: boolean;
  readonly dtype: FloatDType | undefined;
  readonly state: boolean;
  readonly packed: boolean;
  readonly unbatched: boolean;
  readonly opset: number | undefined;
}

export type Command = ConformanceCommand | InspectCommand | RunCommand | VerifyCommand | BenchCommand | ExplainCommand | ExportCommand;
export type CommandName = Command['name'];

export type Parsed =
  /** `maxBytes`: `--max-bytes N`, the limit on bytes materialised and inflated per weights file. */
  | { readonly kind: 'command'; readonly command: Command; readonly debug: boolean; readonly maxBytes?: number }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly usage: string; readonly error: RnnportError; readonly debug: boolean };

type Options = NonNullable<ParseArgsConfig['options']>;

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

const GLOBAL: Options = { help: { type: 'boolean', short: 'h' }, debug: bool };
const WEIGHTS: Options = { key: str, prefix: str, 'max-bytes': str };
const ENGINE: Options = { engine: str, simd: str };
const RUN: Options = {
  ...WEIGHTS,
  ...ENGINE,
  input: str,
  h0: str,
  c0: str,
  lengths: str,
  'batch-first': bool,
  nonlinearity: str,
  dtype: str,
};

const RUN_FLAGS =
  '[--h0 F.npy] [--c0 F.npy] [--lengths 5,3,2|F.npy] [--batch-first] [--nonlinearity tanh|relu] [--prefix P] [--key PATH] [--dtype float32|float64] [--engine auto|fast|reference] [--simd auto|relaxed|plain] [--max-bytes N]';

interface Spec {
  readonly options: Options;
  readonly usage: string;
  readonly summary: string;
  readonly example: string;
}

const SPECS: Readonly<Record<CommandName, Spec>> = {
  conformance: {
    options: { ...ENGINE, golden: str, filter: str, json: str, impl: str },
    usage: "rnnport conformance [--golden DIR] [--filter TEXT] [--json FILE] [--impl 'CMD'] [--engine auto|fast|reference] [--simd auto|relaxed|plain]",
    summary:
      "Runs every golden case (default: the package's; DIR: golden case folders or case files) through every weights format it has, or through --impl's program; exit 1 if any fails.",
    example: "rnnport conformance --golden cases/ --impl 'python3 torch_run.py'",
  },
  inspect: {
    options: { key: str, json: bool, 'max-bytes': str },
    usage: 'rnnport inspect WEIGHTS [--key PATH] [--json] [--max-bytes N]',
    summary: 'Prints the format, metadata, every tensor and every recurrent module found, as the PyTorch constructor.',
    example: 'rnnport inspect model.safetensors',
  },
  run: {
    options: { ...RUN, out: str },
    usage: `rnnport run WEIGHTS --input X.npy --out DIR ${RUN_FLAGS}`,
    summary: 'Runs the module on X.npy and writes DIR/output.npy, DIR/h_n.npy and, for LSTM, DIR/c_n.npy.',
    example: 'rnnport run model.safetensors --input x.npy --batch-first --out out/',
  },
  verify: {
    options: { ...RUN, 'expected-output': str, 'expected-h-n': str, 'expected-c-n': str, atol: str, rtol: str },
    usage: `rnnport verify (CASE.safetensors | WEIGHTS --input X.npy --expected-output F.npy [--expected-h-n F.npy] [--expected-c-n F.npy] ${RUN_FLAGS}) [--atol A] [--rtol R]`,
    summary: 'Runs the module and compares with PyTorch\'s results (a case file, or arrays saved from PyTorch): max abs/rel error per tensor; exit 1 on mismatch.',
    example: 'rnnport verify model.pt --input x.npy --expected-output output.npy --expected-h-n h_n.npy',
  },
  bench: {
    options: { ...RUN, warmup: str, repeat: str, stream: bool, json: bool },
    usage: `rnnport bench WEIGHTS --input X.npy [--warmup N] [--repeat N] [--stream] [--json] ${RUN_FLAGS} (bench also takes --engine onnxruntime)`,
    summary: 'Times the forward pass in-process (--stream: one time step at a time through the streaming API).',
    example: 'rnnport bench model.safetensors --input x.npy --repeat 20 --json',
  },
  export: {
    options: { ...WEIGHTS, onnx: str, nonlinearity: str, 'batch-first': bool, dtype: str, state: bool, packed: bool, unbatched: bool, opset: str, 'max-bytes': str },
    usage: 'rnnport export WEIGHTS --onnx OUT.onnx [--prefix P] [--key PATH] [--nonlinearity tanh|relu] [--batch-first] [--dtype float32|float64] [--state] [--packed] [--unbatched] [--opset N] [--max-bytes N]',
    summary: "Writes the module as an ONNX model with PyTorch's inputs, outputs and numbers (graph inputs input, h0/c0 with --state, lengths with --packed).",
    example: 'rnnport export model.pt --prefix encoder.rnn --packed --onnx encoder.onnx',
  },
  explain: {
    options: {
      ...WEIGHTS,
      mode: str,
      'input-size': str,
      'hidden-size': str,
      'num-layers': str,
      bidirectional: bool,
      'proj-size': str,
      'seq-len': str,
      batch: str,
      lengths: str,
      'batch-first': bool,
      svg: str,
      json: bool,
    },
    usage:
      'rnnport explain (WEIGHTS [--prefix P] [--key PATH] [--max-bytes N] | --mode rnn|gru|lstm --hidden-size H [--input-size I] [--num-layers L] [--bidirectional] [--proj-size P]) [--seq-len T] [--batch B] [--lengths 5,3,2|F.npy] [--batch-first] [--svg FILE] [--json]',
    summary: 'Says what output and h_n (and c_n) contain for a configuration, checked by running it on random weights.',
    example: 'rnnport explain --mode gru --hidden-size 4 --num-layers 2 --bidirectional --lengths 5,3,2 --svg gru.svg',
  },
};

export const COMMAND_NAMES: readonly CommandName[] = Object.keys(SPECS) as CommandName[];

/** The one-line usage of the tool, or of one command. */
export function usageLine(name?: CommandName): string {
  if (name !== undefined) return `usage: ${SPECS[name].usage}`;
  return `usage: rnnport <${COMMAND_NAMES.join('|')}> [options]   (rnnport <command> --help, rnnport --version)`;
}

/** `--help` text: usage, what it does, an example. */
export function helpText(name?: CommandName): string {
  if (name === undefined) {
    const rows = COMMAND_NAMES.map((n) => `  ${n.padEnd(12)} ${SPECS[n].summary}`);
    return [usageLine(), '', 'Commands:', ...rows, '', 'Global options: --debug (stack traces), --version, --help', ''].join('\n');
  }
  const spec = SPECS[name];
  return [usageLine(name), '', spec.summary, '', 'Example:', `  ${spec.example}`, ''].join('\n');
}

interface UsageDetail {
  readonly what: string;
  readonly expected: string;
  readonly got: string;
}

/** Thrown inside this file only, turned into a `usage-error` result by parseCommand. */
class UsageError extends Error {
  readonly detail: UsageDetail;
  constructor(detail: UsageDetail) {
    super(detail.what);
    this.detail = detail;
  }
}

function usage(what: string, expected: string, got: string): never {
  throw new UsageError({ what, expected, got });
}

/** Parses argv (without `node` and the script path). Never throws. */
export function parseCommand(argv: readonly string[]): Parsed {
  const debug = argv.includes('--debug');
  const first = argv[0];
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', text: helpText() };
  if (first === undefined) return usageError(undefined, { what: 'command', expected: `one of ${COMMAND_NAMES.join(', ')}`, got: 'none (missing command)' }, debug);
  if (!(COMMAND_NAMES as readonly string[]).includes(first)) {
    return usageError(undefined, { what: 'command', expected: COMMAND_NAMES.join(', '), got: JSON.stringify(first) }, debug);
  }
  const name = first as CommandName;
  try {
    const { values, positionals } = parseArgs({
      args: argv.slice(1),
      options: { ...GLOBAL, ...SPECS[name].options },
      strict: true,
      allowPositionals: true,
    });
    const v = values as Record<string, string | boolean | undefined>;
    if (v['help'] === true) return { kind: 'help', text: helpText(name) };
    const maxBytes = optional(v, 'max-bytes', (x, f) => parseInteger(x, f, 1));
    return { kind: 'command', command: build(name, v, positionals), debug, ...(maxBytes !== undefined && { maxBytes }) };
  } catch (error) {
    if (error instanceof UsageError) return usageError(name, error.detail, debug);
    return usageError(name, parseArgsDetail(name, error), debug);
  }
}

/**
 * Node's parseArgs errors in rnnport's one-line form (its own messages run over several lines and
 * suggest `--` syntax): an unknown flag, a flag missing its value (also one whose value starts with
 * '-', which needs `--flag=-1`), or a positional argument where none is taken.
 */
function parseArgsDetail(name: CommandName, error: unknown): UsageDetail {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' <]+)/.exec(message)?.[1] ?? 'a flag';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return { what: flag, expected: `a flag of ${name} (rnnport ${name} --help)`, got: 'an unknown flag' };
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('ambiguous') || message.includes('starting with')
        ? { what: flag, expected: `a value (write ${flag}=-1 for a value that starts with '-')`, got: 'a value starting with -' }
        : { what: flag, expected: 'a value', got: 'none' };
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return { what: 'arguments', expected: 'no positional argument', got: JSON.stringify(/'([^']*)'/.exec(message)?.[1] ?? '') };
    default:
      return { what: 'arguments', expected: 'the flags in the usage line', got: message.replace(/\s*\n\s*/g, ' ') };
  }
}

function usageError(name: CommandName | undefined, detail: UsageDetail, debug: boolean): Parsed {
  return { kind: 'usage-error', usage: usageLine(name), error: fail('E_USAGE', detail), debug };
}

type Values = Record<string, string | boolean | undefined>;

function build(name: CommandName, v: Values, positionals: readonly string[]): Command {
  const s = (flag: string): string | undefined => v[flag] as string | undefined;
  const b = (flag: string): boolean => v[flag] === true;
  switch (name) {
    case 'conformance':
      noPositionals(positionals, 0);
      return { name, golden: s('golden'), filter: s('filter'), json: s('json'), impl: s('impl'), ...engineArgs(v) };
    case 'inspect':
      return { name, weights: onePositional(positionals), key: s('key'), json: b('json') };
    case 'run':
      return { name, ...runArgs(v, positionals), out: required(v, 'out') };
    case 'verify': {
      // a case file carries its inputs and PyTorch's outputs; otherwise --input and --expected-output
      const byCase = s('input') === undefined && s('expected-output') === undefined;
      return {
        name,
        ...runArgs(v, positionals, !byCase),
        expectedOutput: byCase ? undefined : required(v, 'expected-output'),
        expectedHN: s('expected-h-n'),
        expectedCN: s('expected-c-n'),
        atol: optional(v, 'atol', parseTolerance),
        rtol: optional(v, 'rtol', parseTolerance),
      };
    }
    case 'bench':
      return {
        name,
        ...runArgs({ ...v, engine: undefined }, positionals),
        engine: optional(v, 'engine', (x, f) => oneOf(x, f, [...ENGINES, 'onnxruntime'] as const)) ?? 'auto',
        warmup: optional(v, 'warmup', (x, f) => parseInteger(x, f, 0)) ?? 3,
        repeat: optional(v, 'repeat', (x, f) => parseInteger(x, f, 1)) ?? 10,
        stream: b('stream'),
        json: b('json'),
      };
    case 'explain':
      return explainArgs(v, positionals);
    case 'export':
      return {
        name,
        weights: onePositional(positionals),
        key: s('key'),
        prefix: s('prefix'),
        onnx: required(v, 'onnx'),
        nonlinearity: optional(v, 'nonlinearity', (x, f) => oneOf(x, f, ['tanh', 'relu'] as const)),
        batchFirst: b('batch-first'),
        dtype: optional(v, 'dtype', (x, f) => oneOf(x, f, ['float32', 'float64'] as const)),
        state: b('state'),
        packed: b('packed'),
        unbatched: b('unbatched'),
        opset: optional(v, 'opset', (x, f) => parseInteger(x, f, 1)),
      };
  }
}

function runArgs(v: Values, positionals: readonly string[]): RunArgs;
function runArgs(v: Values, positionals: readonly string[], inputRequired: boolean): Omit<RunArgs, 'input'> & { input: string | undefined };
function runArgs(v: Values, positionals: readonly string[], inputRequired = true): Omit<RunArgs, 'input'> & { input: string | undefined } {
  return {
    weights: onePositional(positionals),
    key: v['key'] as string | undefined,
    prefix: v['prefix'] as string | undefined,
    input: inputRequired ? required(v, 'input') : (v['input'] as string | undefined),
    h0: v['h0'] as string | undefined,
    c0: v['c0'] as string | undefined,
    lengths: optional(v, 'lengths', parseLengths),
    batchFirst: v['batch-first'] === true,
    nonlinearity: optional(v, 'nonlinearity', (x, f) => oneOf(x, f, ['tanh', 'relu'] as const)),
    dtype: optional(v, 'dtype', (x, f) => oneOf(x, f, ['float32', 'float64'] as const)),
    ...engineArgs(v),
  };
}

/** `--engine` values of run, verify and conformance; bench adds `onnxruntime`. */
const ENGINES = ['auto', 'fast', 'reference'] as const;

function engineArgs(v: Values): { engine: EngineChoice; simd: SimdOption } {
  return {
    engine: optional(v, 'engine', (x, f) => oneOf(x, f, ENGINES)) ?? 'auto',
    simd: optional(v, 'simd', (x, f) => oneOf(x, f, ['auto', 'relaxed', 'plain'] as const)) ?? 'auto',
  };
}

/** `--mode` spells the family in lower case. */
const FAMILIES: Readonly<Record<'rnn' | 'gru' | 'lstm', Family>> = { rnn: 'RNN', gru: 'GRU', lstm: 'LSTM' };

function explainArgs(v: Values, positionals: readonly string[]): ExplainCommand {
  const mode = optional(v, 'mode', (x, f) => oneOf(x, f, ['rnn', 'gru', 'lstm'] as const));
  const configFlags = ['input-size', 'hidden-size', 'num-layers', 'bidirectional', 'proj-size'].filter((f) => v[f] !== undefined);
  let source: ExplainCommand['source'];
  if (mode === undefined) {
    if (configFlags.length > 0) usage(`--${configFlags[0]}`, 'to come with --mode (or give WEIGHTS instead)', 'no --mode');
    source = { kind: 'weights', weights: onePositional(positionals), key: v['key'] as string | undefined, prefix: v['prefix'] as string | undefined };
  } else {
    noPositionals(positionals, 0);
    if (v['key'] !== undefined || v['prefix'] !== undefined) usage('--key / --prefix', 'only with WEIGHTS', '--mode');
    const inputSize = optional(v, 'input-size', (x, f) => parseInteger(x, f, 1));
    source = {
      kind: 'config',
      config: {
        mode: FAMILIES[mode],
        ...(inputSize !== undefined && { inputSize }),
        hiddenSize: parseInteger(required(v, 'hidden-size'), '--hidden-size', 1),
        numLayers: optional(v, 'num-layers', (x, f) => parseInteger(x, f, 1)) ?? 1,
        bidirectional: v['bidirectional'] === true,
        projSize: optional(v, 'proj-size', (x, f) => parseInteger(x, f, 0)) ?? 0,
      },
    };
  }
  return {
    name: 'explain',
    source,
    seqLen: optional(v, 'seq-len', (x, f) => parseInteger(x, f, 1)),
    batch: optional(v, 'batch', (x, f) => parseInteger(x, f, 0)),
    lengths: optional(v, 'lengths', parseLengths),
    batchFirst: v['batch-first'] === true,
    svg: v['svg'] as string | undefined,
    json: v['json'] === true,
  };
}

function onePositional(positionals: readonly string[]): string {
  if (positionals.length === 0) usage('WEIGHTS', 'a weights file or directory', 'nothing');
  noPositionals(positionals, 1);
  return positionals[0] as string;
}

function noPositionals(positionals: readonly string[], allowed: number): void {
  if (positionals.length > allowed) usage('arguments', `${allowed} positional argument(s)`, positionals.map((p) => JSON.stringify(p)).join(' '));
}

function required(v: Values, flag: string): string {
  const value = v[flag];
  if (typeof value !== 'string') usage(`--${flag}`, 'to be given', 'nothing');
  return value;
}

function optional<T>(v: Values, flag: string, parse: (value: string, flagName: string) => T): T | undefined {
  const value = v[flag];
  return typeof value === 'string' ? parse(value, `--${flag}`) : undefined;
}

function oneOf<const T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) usage(flag, choices.join(' | '), JSON.stringify(value));
  return value as T;
}

/** A base-10 integer ≥ min, digits only (`1e3`, `0x10` and `2.0` are refused). */
function parseInteger(value: string, flag: string, min: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) usage(flag, `an integer ≥ ${min}`, JSON.stringify(value));
  return n;
}

function parseTolerance(value: string, flag: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) usage(flag, 'a finite number ≥ 0', JSON.stringify(value));
  return n;
}

/**
 * `--lengths` in every command: `5,3,2` (integers, each ≥ 1: PyTorch rejects length 0) is a list;
 * anything else is the path of a .npy file of int32 / int64 lengths.
 */
function parseLengths(value: string, flag: string): LengthsArg {
  if (!/^[\s\d,]+$/.test(value)) return { file: value };
  return { list: value.split(',').map((part) => parseInteger(part.trim(), flag, 1)) };
}
