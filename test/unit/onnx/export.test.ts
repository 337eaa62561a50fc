/**
 * toOnnx without a runtime: the graph's interface (names, element types, PyTorch's shapes with
 * dynamic axes), the weights in ONNX's gate order, the refusals with their codes, and ONNX's own
 * checker verdict recorded in test/fixtures/onnx/checker.json for exactly these bytes. The
 * numbers are proven in compat/ (onnxruntime-node and -web against the goldens).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { isRnnportError } from '../../../src/errors.js';
import { fromStateDict } from '../../../src/index.js';
import { toOnnx } from '../../../src/onnx.js';
import { reorderGates } from '../../../src/onnx/native.js';
import { ModelProtoSchema, TensorProto_DataType as DataType, type ModelProto, type ValueInfoProto } from '../../../src/onnx/proto/onnx_pb.js';
import { Tensor } from '../../../src/tensor.js';
import * as random from '../../../src/random.js';
import { CHECKER_CASES, checkerStateDict } from '../../../scripts/onnx_checker_cases.mjs';

interface CheckerCase {
  readonly name: string;
  readonly config: { readonly kind: string; readonly inputSize: number; readonly hiddenSize: number; readonly [k: string]: unknown };
  readonly options: Record<string, unknown>;
}
const cases = CHECKER_CASES as CheckerCase[];
const stateDictOf = (config: CheckerCase['config']): ReturnType<typeof checkerStateDict> => checkerStateDict(config, random);

function model(config: CheckerCase['config'], options: Record<string, unknown> = {}): ModelProto {
  const { sd, choice } = stateDictOf(config);
  return fromBinary(ModelProtoSchema, toOnnx(sd, { ...choice, ...options }));
}

/** A value's element type and shape as `float32 [seq_len, batch, 8]`. */
function signature(v: ValueInfoProto): string {
  const t = v.type?.value;
  if (t?.case !== 'tensorType') return 'not a tensor';
  const elem = { [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.INT64]: 'int64' }[t.value.elemType] ?? String(t.value.elemType);
  const dims = t.value.shape?.dim.map((d) => (d.value.case === 'dimValue' ? String(d.value.value) : d.value.value)) ?? [];
  return `${v.name}: ${elem} [${dims.join(', ')}]`;
}

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'none';
  } catch (e) {
    return isRnnportError(e) ? e.code : String(e);
  }
}

describe('toOnnx: the graph interface has PyTorch shapes', () => {
  const lstm = { kind: 'LSTM', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true };

  it('time-major input, output (T, B, D·H), h_n / c_n (L·D, B, H), dynamic batch and sequence axes', () => {
    const m = model(lstm);
    expect(m.graph?.input.map(signature)).toEqual(['input: float32 [seq_len, batch, 3]']);
    expect(m.graph?.output.map(signature)).toEqual(['output: float32 [seq_len, batch, 10]', 'h_n: float32 [4, batch, 5]', 'c_n: float32 [4, batch, 5]']);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(Number(m.irVersion)).toBe(8);
    expect(m.producerName).toBe('rnnport');
    expect(m.docString).toContain('nn.LSTM(3, 5, num_layers=2, bidirectional=True)');
  });

  it('state and packed add h0, c0 and int64 lengths; batch-first moves B first in input and output only', () => {
    const m = model(lstm, { state: true, packed: true, batchFirst: true });
    expect(m.graph?.input.map(signature)).toEqual(['input: float32 [batch, seq_len, 3]', 'h0: float32 [4, batch, 5]', 'c0: float32 [4, batch, 5]', 'lengths: int64 [batch]']);
    expect(m.graph?.output.map(signature)).toEqual(['output: float32 [batch, seq_len, 10]', 'h_n: float32 [4, batch, 5]', 'c_n: float32 [4, batch, 5]']);
  });

  it('unbatched drops B; proj_size makes h (L·D, H_out) and c (L·D, H); float64 stays float64', () => {
    const m = model({ kind: 'LSTM', inputSize: 3, hiddenSize: 5, projSize: 2, dtype: 'float64' }, { unbatched: true, state: true });
    expect(m.graph?.input.map(signature)).toEqual(['input: float64 [seq_len, 3]', 'h0: float64 [1, 2]', 'c0: float64 [1, 5]']);
    expect(m.graph?.output.map(signature)).toEqual(['output: float64 [seq_len, 2]', 'h_n: float64 [1, 2]', 'c_n: float64 [1, 5]']);
  });

  it("a cell is one step: input (B, I), state (B, H); output is h′ like rnnport run's output.npy", () => {
    const m = model({ kind: 'GRUCell', inputSize: 3, hiddenSize: 4 }, { state: true });
    expect(m.graph?.input.map(signature)).toEqual(['input: float32 [batch, 3]', 'h0: float32 [batch, 4]']);
    expect(m.graph?.output.map(signature)).toEqual(['output: float32 [batch, 4]', 'h_n: float32 [batch, 4]']);
  });

  it('a module and its state_dict export the same bytes, every time', () => {
    const { sd, choice } = stateDictOf({ kind: 'GRU', inputSize: 3, hiddenSize: 4, bidirectional: true });
    const module = fromStateDict(sd, { ...choice, engine: 'reference' });
    const a = toOnnx(module, { packed: true });
    expect(toOnnx(sd, { ...choice, packed: true })).toEqual(a);
    expect(toOnnx(module, { packed: true })).toEqual(a);
  });
});

describe('toOnnx: weights in ONNX gate order', () => {
  it('reorders row blocks: LSTM i,f,g,o → i,o,f,c and GRU r,z,n → z,r,h', () => {
    const rows = (blocks: number[]): Float32Array => Float32Array.from(blocks.flatMap((b) => [b, b, b + 0.5, b + 0.5])); // H = 2 rows, K = 2
    expect(Array.from(reorderGates(rows([0, 1, 2, 3]), 'LSTM', 2))).toEqual(Array.from(rows([0, 3, 1, 2])));
    expect(Array.from(reorderGates(rows([0, 1, 2]), 'GRU', 2))).toEqual(Array.from(rows([1, 0, 2])));
  });

  it('stores an LSTM layer as W (D, 4H, I), R (D, 4H, H) and B (D, 8H) = [b_ih | b_hh]', () => {
    const config = { kind: 'LSTM', inputSize: 3, hiddenSize: 2, bidirectional: true };
    const { sd } = stateDictOf(config);
    const init = new Map(model(config).graph?.initializer.map((t) => [t.name, t]));
    const values = (name: string): number[] => Array.from(new Float32Array(init.get(name)!.rawData.slice().buffer));
    const W = (name: string): Float32Array => sd.get(name)!.data as Float32Array;
    expect(init.get('l0.W')?.dims.map(Number)).toEqual([2, 8, 3]);
    expect(values('l0.W')).toEqual([...reorderGates(W('weight_ih_l0'), 'LSTM', 2), ...reorderGates(W('weight_ih_l0_reverse'), 'LSTM', 2)]);
    expect(values('l0.B')).toEqual([
      ...reorderGates(W('bias_ih_l0'), 'LSTM', 2),
      ...reorderGates(W('bias_hh_l0'), 'LSTM', 2),
      ...reorderGates(W('bias_ih_l0_reverse'), 'LSTM', 2),
      ...reorderGates(W('bias_hh_l0_reverse'), 'LSTM', 2),
    ]);
  });
});

describe('toOnnx: refusals', () => {
  const gru = stateDictOf({ kind: 'GRU', inputSize: 3, hiddenSize: 4 }).sd;
  const proj = stateDictOf({ kind: 'LSTM', inputSize: 3, hiddenSize: 4, projSize: 2 }).sd;
  const cell = stateDictOf({ kind: 'LSTMCell', inputSize: 3, hiddenSize: 4 }).sd;

  it('E_EXPORT_UNSUPPORTED names the feature: opsets outside 14–25, native operators for proj_size or float64', () => {
    expect(codeOf(() => toOnnx(gru, { opset: 13 }))).toBe('E_EXPORT_UNSUPPORTED');
    expect(codeOf(() => toOnnx(gru, { opset: 26 }))).toBe('E_EXPORT_UNSUPPORTED');
    try {
      toOnnx(proj, { lowering: 'native' });
      expect.unreachable();
    } catch (e) {
      expect(isRnnportError(e) && e.code).toBe('E_EXPORT_UNSUPPORTED');
      expect(isRnnportError(e) && e.detail.got).toBe("proj_size=2 (ONNX's LSTM operator has no projection)");
    }
    expect(codeOf(() => toOnnx(gru, { lowering: 'native', dtype: 'float64' }))).toBe('E_EXPORT_UNSUPPORTED');
  });

  it('E_BAD_OPTION for options that do not apply or are malformed', () => {
    expect(codeOf(() => toOnnx(cell, { packed: true }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => toOnnx(cell, { batchFirst: true }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => toOnnx(gru, { packed: true, unbatched: true }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => toOnnx(gru, { state: 'yes' as unknown as boolean }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => toOnnx(gru, { opset: 17.5 }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => toOnnx(gru, { lowering: 'loop' as 'scan' }))).toBe('E_BAD_OPTION');
    const module = fromStateDict(gru, { engine: 'reference' });
    expect(codeOf(() => toOnnx(module, { prefix: 'rnn.' }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => toOnnx({} as typeof module))).toBe('E_BAD_ARGUMENT');
  });

  it('state_dict problems keep their loader codes (E_NO_MODULE, E_AMBIGUOUS_MODULE)', () => {
    expect(codeOf(() => toOnnx(new Map()))).toBe('E_NO_MODULE');
    const two = new Map([...gru].flatMap(([k, v]) => [[`a.${k}`, v], [`b.${k}`, v]] as [string, Tensor][]));
    expect(codeOf(() => toOnnx(two))).toBe('E_AMBIGUOUS_MODULE');
    expect(codeOf(() => toOnnx(two, { prefix: 'b' }))).toBe('none');
  });
});

describe("ONNX's checker (onnx.checker.check_model, full_check=True) passed these exact models", () => {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/onnx/checker.json'), 'utf8')) as {
    onnx: string;
    cases: { name: string; sha256: string; ok: boolean; error: string | null }[];
  };
  const recorded = new Map(fixture.cases.map((c) => [c.name, c]));

  it('records every case of scripts/onnx_checker_cases.mjs, all passing', () => {
    expect(fixture.cases.map((c) => c.name)).toEqual(cases.map((c) => c.name));
    expect(fixture.cases.filter((c) => !c.ok)).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: today’s export is the checked bytes (else rerun scripts/make_onnx_checker_fixture.mjs)', (name, c) => {
    const { sd, choice } = stateDictOf(c.config);
    const sha256 = createHash('sha256').update(toOnnx(sd, { ...choice, ...c.options })).digest('hex');
    expect(sha256).toBe(recorded.get(name)?.sha256);
  });
});
