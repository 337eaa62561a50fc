/**
 * TensorFlow.js (lib/runtimes/tfjs.ts) against the golden cases, on the tfjs cpu and wasm
 * backends: every case `run` can express goes through the adapter with checkImplementation.
 * GRU / GRUCell, LSTM with proj_size and float64 cases are `unsupported`; every other case
 * (RNN_TANH, RNN_RELU, LSTM and their cells, float32, weights stored as float32, float16 or
 * bfloat16) must be `ok` within the case's tolerance, except the known failures listed below.
 *
 * Packed cases `run` cannot express (padding_value ≠ 0, total_length ≠ T: unsorted lengths,
 * bidirectional, batch-first packed cases) are checked too, "re-padded" as compat/lib/golden.ts
 * does for ONNX: run with the same lengths, their expected output's padded positions (exactly
 * padding_value in PyTorch's result) compared as 0 and rows past T (all padding) dropped. They
 * are what exercises the adapter's masking beyond one direction and sorted lengths.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGoldenCases, type GoldenCase, type GoldenSpec } from '../../dist/cli/golden.js';
import { checkImplementation, expressGolden, Tensor, type Case, type CaseOutcome } from '../../dist/index.js';
import { openTfjs } from '../lib/runtimes/tfjs.js';

const GOLDEN = join(import.meta.dirname, '../../golden');

/** Known failures per backend: case name → why (empty: none). */
const KNOWN_FAILURES: Record<'cpu' | 'wasm', Readonly<Record<string, string>>> = {
  cpu: {},
  wasm: {},
};

let cases: Case[] = [];
let repaddedCases: Case[] = [];

/** A pack_padded_sequence case `run` cannot express, re-padded (see the file comment); else undefined. */
async function repadded(g: GoldenCase): Promise<Case | undefined> {
  if (g.spec.input.kind !== 'pack_padded_sequence') return undefined;
  const spec = g.spec as GoldenSpec;
  const c = await expressGolden({ ...spec, input: { ...spec.input, padding_value: 0, total_length: null } }, g.files);
  if ('notExpressible' in c || c.lengths === undefined) return undefined;
  const lengths = Array.from(c.lengths.data as ArrayLike<number | bigint>, Number);
  const e = c.expected.output;
  const batchFirst = spec.input.batch_first === true;
  const [d0, d1, F] = e.shape as [number, number, number];
  const [B, Te] = batchFirst ? [d0, d1] : [d1, d0];
  const Tk = Math.min(Te, c.input.shape[batchFirst ? 1 : 0] as number);
  const src = e.data as Float32Array | Float64Array;
  const data = src instanceof Float64Array ? new Float64Array(B * Tk * F) : new Float32Array(B * Tk * F);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Math.min(Tk, lengths[b] as number); t++) {
      const [from, to] = batchFirst ? [(b * Te + t) * F, (b * Tk + t) * F] : [(t * B + b) * F, (t * B + b) * F];
      data.set(src.subarray(from, from + F), to);
    }
  }
  const output = new Tensor(e.dtype, batchFirst ? [B, Tk, F] : [Tk, B, F], data as never);
  return { ...c, name: `${c.name} (re-padded)`, expected: { ...c.expected, output } };
}

beforeAll(async () => {
  const all = listGoldenCases(GOLDEN);
  const expressed = await Promise.all(all.map((g) => expressGolden(g.spec, g.files)));
  cases = expressed.filter((c): c is Case => !('notExpressible' in c));
  const again = await Promise.all(all.filter((_, i) => 'notExpressible' in (expressed[i] as object)).map(repadded));
  repaddedCases = again.filter((c): c is Case => c !== undefined);
});

/** What the adapter must say: a reason for unsupported cases, else null (must pass). */
function expectedUnsupported(c: Case): string | null {
  const m = c.description.module;
  if (m === 'GRU' || m === 'GRUCell') return 'no reset_after in tfjs';
  if (((c.description.options['proj_size'] as number | undefined) ?? 0) > 0) return 'no projection';
  if (c.description.dtype === 'float64') return 'tfjs has no float64';
  return null;
}

/** One line per run: counts, the worst errors and the failures. */
function summary(title: string, outcomes: readonly CaseOutcome[]): string {
  const count = (s: CaseOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
  const compared = outcomes.flatMap((o) => o.tensors.map((t) => ({ at: `${o.case} ${t.tensor}`, ...t.result })));
  const worst = (key: 'maxAbs' | 'worstOfTolerance'): string => {
    const w = compared.reduce((a, b) => (b[key] > a[key] ? b : a), { at: 'none', maxAbs: 0, worstOfTolerance: 0 });
    return `${w[key].toPrecision(2)} (${w.at})`;
  };
  const failed = outcomes.filter((o) => o.status === 'failed').map((o) => `\n  failed ${o.case}: ${o.reason}`);
  return `${title}: ${count('ok')} ok / ${count('failed')} failed / ${count('unsupported')} unsupported of ${outcomes.length}; worst |error| ${worst('maxAbs')}, worst fraction of tolerance ${worst('worstOfTolerance')}${failed.join('')}`;
}

/** Supported cases that did not pass: name → status and reason. */
function failuresOf(set: readonly Case[], outcomes: readonly CaseOutcome[]): Record<string, string> {
  const failures: Record<string, string> = {};
  for (const [i, o] of outcomes.entries()) if (expectedUnsupported(set[i] as Case) === null && o.status !== 'ok') failures[o.case] = `${o.status}: ${o.reason}`;
  return failures;
}

describe.each(['cpu', 'wasm'] as const)('golden cases through TensorFlow.js, backend %s', (backend) => {
  let outcomes: CaseOutcome[] = [];
  let repaddedOutcomes: CaseOutcome[] = [];
  let version = '';
  let tensorsBefore = 0;
  let tensorsAfter = 0;

  beforeAll(async () => {
    const rt = await openTfjs(backend);
    version = rt.version;
    try {
      // Warm up once so that lazily created backend state does not count as a leak.
      await checkImplementation(rt.implementation, cases.slice(0, 1));
      tensorsBefore = tf.memory().numTensors;
      outcomes = await checkImplementation(rt.implementation, cases);
      repaddedOutcomes = await checkImplementation(rt.implementation, repaddedCases);
      tensorsAfter = tf.memory().numTensors;
    } finally {
      await rt.close();
    }
    console.log(`${summary(`${version}, expressible cases`, outcomes)}\n${summary(`${version}, re-padded packed cases`, repaddedOutcomes)}`);
  });

  it('reports its versions', () => {
    expect(version).toMatch(new RegExp(`^@tensorflow/tfjs 4\\.\\d+\\.\\d+, backend ${backend}`));
  });

  it('runs every case', () => {
    expect(cases.length).toBeGreaterThan(150);
    expect(outcomes.map((o) => o.case)).toEqual(cases.map((c) => c.name));
    expect(repaddedCases.length).toBeGreaterThan(15);
    expect(repaddedOutcomes.map((o) => o.case)).toEqual(repaddedCases.map((c) => c.name));
  });

  it('passes every supported case (RNN_TANH, RNN_RELU, LSTM and cells, float32, no projection) but the known failures', () => {
    expect(Object.keys(failuresOf(cases, outcomes)).sort()).toEqual(Object.keys(KNOWN_FAILURES[backend]).sort());
    const supported = outcomes.filter((_, i) => expectedUnsupported(cases[i] as Case) === null);
    expect(new Set(supported.map((o) => o.mode))).toEqual(new Set(['RNN_TANH', 'RNN_RELU', 'LSTM', 'RNNCell_TANH', 'RNNCell_RELU', 'LSTMCell']));
  });

  it('passes the re-padded packed cases (unsorted, bidirectional, batch-first, several layers)', () => {
    expect(failuresOf(repaddedCases, repaddedOutcomes)).toEqual({});
    const supported = repaddedCases.filter((c) => expectedUnsupported(c) === null);
    expect(supported.some((c) => c.description.options['bidirectional'] === true && c.description.options['num_layers'] === 2)).toBe(true);
    expect(supported.some((c) => c.description.options['batch_first'] === true)).toBe(true);
    expect(supported.some((c) => !c.description.enforce_sorted)).toBe(true);
  });

  it('declines GRU, proj_size and float64 cases as unsupported, saying why', () => {
    for (const [set, results] of [[cases, outcomes], [repaddedCases, repaddedOutcomes]] as const) {
      for (const [i, o] of results.entries()) {
        const why = expectedUnsupported(set[i] as Case);
        if (why === null) continue;
        expect(o.status, o.case).toBe('unsupported');
        expect(o.reason, o.case).toContain(why);
      }
    }
    expect(outcomes.filter((o) => o.mode === 'GRU' || o.mode === 'GRUCell').every((o) => o.status === 'unsupported')).toBe(true);
    expect(outcomes.filter((o) => o.mode === 'GRU' || o.mode === 'GRUCell').length).toBeGreaterThan(40);
  });

  it('leaves no tensors behind', () => {
    expect(tensorsAfter).toBe(tensorsBefore);
  });
});

afterAll(async () => {
  // Back to the cpu backend for whatever runs next in this process.
  await tf.setBackend('cpu');
});
