/**
 * The golden cases (../golden/<case>/case.json, documented in scripts/gen_golden.py) as ONNX
 * checks: which cases an export can express, the toOnnx options, the graph's feeds and the
 * expected tensors. Shared by the onnxruntime-node and onnxruntime-web tests and the docs table.
 *
 * A case is expressible as `rnnport run` expresses it (the rule every outward check shares):
 * input kind `tensor`, or `pack_padded_sequence` with padding_value 0 and total_length null or T.
 * The other pack_padded_sequence cases are still checked, "re-padded": their expected output's
 * padded positions are exactly padding_value, so they are compared as 0 (the graph's padding),
 * and rows past T (total_length > T) are all padding and dropped. pack_sequence and pad_sequence
 * cases build their input from a list of sequences: not expressible, skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTensors, Tensor, type CompareResult } from '../../dist/index.js';
import { openStateDict, readNpyFile } from '../../dist/node.js';
import type { ToOnnxOptions } from '../../dist/onnx.js';

export const GOLDEN = join(import.meta.dirname, '../../golden');

/** case.json, the fields read here (PyTorch's names). */
interface Spec {
  readonly name: string;
  readonly module: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly prefix: string;
  readonly dtype: 'float32' | 'float64';
  readonly atol: number;
  readonly rtol: number;
  readonly weights: Readonly<Record<string, string>>;
  readonly input: {
    readonly kind: string;
    readonly input?: string;
    readonly h_0: string | null;
    readonly c_0: string | null;
    readonly lengths?: string;
    readonly batch_first?: boolean;
    readonly padding_value?: number;
    readonly total_length?: number | null;
  };
  readonly expected: Readonly<Record<string, string>>;
}

/** How a case is checked: as `run` expresses it, re-padded (see the file comment), or not at all. */
export type Coverage = 'run' | 'repadded' | 'not expressible';

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly spec: Spec;
  readonly coverage: Coverage;
  /** Why a case is re-padded or not expressible. */
  readonly why: string;
}

/** Every case folder, classified. */
export function goldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(GOLDEN, name);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Spec;
      const i = spec.input;
      let coverage: Coverage = 'run';
      let why = '';
      if (!['RNN', 'GRU', 'LSTM', 'RNNCell', 'GRUCell', 'LSTMCell'].includes(spec.module)) {
        coverage = 'not expressible';
        why = `an nn.${spec.module} case (run and toOnnx take recurrent modules)`;
      } else if (i.kind === 'pack_sequence' || i.kind === 'pad_sequence') {
        coverage = 'not expressible';
        why = `input built by ${i.kind} from a list of sequences`;
      } else if (i.kind === 'pack_padded_sequence') {
        const T = readNpyFile(join(dir, i.input as string)).shape[i.batch_first === true ? 1 : 0];
        const reasons = [
          ...(i.padding_value !== undefined && i.padding_value !== 0 ? [`padding_value ${i.padding_value}`] : []),
          ...(i.total_length !== null && i.total_length !== undefined && i.total_length !== T ? [`total_length ${i.total_length} ≠ T = ${T}`] : []),
        ];
        if (reasons.length > 0) [coverage, why] = ['repadded', reasons.join(', ')];
      }
      return { name, dir, spec, coverage, why };
    });
}

/** A case ready to run anywhere: toOnnx options, feeds and expected results with the tolerance. */
export interface PreparedCase {
  readonly name: string;
  readonly options: ToOnnxOptions;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly expected: Readonly<Record<string, Tensor>>;
  readonly atol: number;
  readonly rtol: number;
}

/** The state_dict of a case (its safetensors weights). */
export function weightsOf(c: GoldenCase): Map<string, Tensor> {
  return openStateDict(join(c.dir, c.spec.weights['safetensors'] as string)).load();
}

/** The options, feeds and expected tensors of an expressible or re-padded case. */
export function prepare(c: GoldenCase): PreparedCase {
  const { spec, dir } = c;
  const i = spec.input;
  const cell = spec.module.endsWith('Cell');
  const packed = i.kind === 'pack_padded_sequence';
  const input = readNpyFile(join(dir, i.input as string)).to(spec.dtype);
  const batchFirst = (packed ? i.batch_first : spec.options['batch_first']) === true;
  const nonlinearity = spec.options['nonlinearity'];
  const options: ToOnnxOptions = {
    prefix: spec.prefix,
    dtype: spec.dtype,
    state: i.h_0 !== null,
    packed,
    unbatched: input.ndim === (cell ? 1 : 2),
    ...(cell ? {} : { batchFirst }),
    ...(nonlinearity === 'tanh' || nonlinearity === 'relu' ? { nonlinearity } : {}),
  };
  const feeds: Record<string, Tensor> = { input };
  if (i.h_0 !== null) feeds['h0'] = readNpyFile(join(dir, i.h_0)).to(spec.dtype);
  if (i.c_0 !== null) feeds['c0'] = readNpyFile(join(dir, i.c_0)).to(spec.dtype);
  let lengths: number[] = [];
  if (packed) {
    const l = readNpyFile(join(dir, i.lengths as string));
    lengths = Array.from(l.data as ArrayLike<number | bigint>, Number);
    feeds['lengths'] = new Tensor('int64', [lengths.length], BigInt64Array.from(lengths, BigInt));
  }
  const expected: Record<string, Tensor> = {};
  for (const name of ['output', 'h_n', 'c_n']) {
    const file = spec.expected[name];
    if (file === undefined) continue;
    const e = readNpyFile(join(dir, file));
    expected[name] = name === 'output' && c.coverage === 'repadded' ? repad(e, lengths, input.shape[batchFirst ? 1 : 0] as number, batchFirst) : e;
  }
  return { name: c.name, options, feeds, expected, atol: spec.atol, rtol: spec.rtol };
}

/** pad_packed_sequence's output with padding 0 instead of padding_value, cut to T steps. */
function repad(e: Tensor, lengths: readonly number[], T: number, batchFirst: boolean): Tensor {
  const [d0, d1, F] = e.shape as [number, number, number];
  const B = batchFirst ? d0 : d1;
  const steps = batchFirst ? d1 : d0;
  const src = e.data as Float32Array | Float64Array;
  const out = new (src.constructor as new (n: number) => Float32Array | Float64Array)(T * B * F);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Math.min(lengths[b] as number, T); t++) {
      const from = (batchFirst ? b * steps + t : t * B + b) * F;
      out.set(src.subarray(from, from + F), (batchFirst ? b * T + t : t * B + b) * F);
    }
  }
  return new Tensor(e.dtype, batchFirst ? [B, T, F] : [T, B, F], out);
}

/** One compared tensor. */
export interface Checked {
  readonly tensor: string;
  readonly result: CompareResult;
  readonly gotShape: readonly number[];
  readonly expectedShape: readonly number[];
}

/** Compares what a runtime returned (by graph output name) with a prepared case's expectations. */
export function check(p: PreparedCase, got: Readonly<Record<string, Tensor>>): Checked[] {
  return Object.entries(p.expected).map(([name, e]) => {
    const g = got[name];
    if (g === undefined) throw new Error(`${p.name}: the model has no output ${name}`);
    return { tensor: name, result: compareTensors(g, e, p), gotShape: g.shape, expectedShape: e.shape };
  });
}

/** One line per failed tensor: the worst element with both values. */
export function describeFailures(name: string, checked: readonly Checked[]): string {
  return checked
    .filter((c) => !c.result.ok)
    .map((c) => `${name} ${c.tensor}: got shape (${c.gotShape.join(', ')}) vs (${c.expectedShape.join(', ')}); ${JSON.stringify(c.result.worst ?? null)} max abs ${c.result.maxAbs}`)
    .join('\n');
}
