// The module API's seams: one forward signature on the union fromStateDict returns, `kind`,
// the engine chosen per module, runModule, and the errors for arguments of the wrong kind.
import { describe, expect, it } from 'vitest';
import { packPaddedSequence } from '../../../src/engine/packed.js';
import { fromStateDict, GRUCell, LSTM, RNN, runModule, type RecurrentModule } from '../../../src/modules/index.js';
import { Tensor } from '../../../src/tensor.js';
import { codeOf, pattern, weightsFor, type Config } from './helpers.js';

const lstmConfig: Config = { mode: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, bias: true, projSize: 2 };
const gruCell: Config = { mode: 'GRU', inputSize: 3, hiddenSize: 2, numLayers: 1, bidirectional: false, bias: true, projSize: 0 };
const lstmSd = (): Map<string, Tensor> => new Map([...weightsFor(lstmConfig, pattern)].map(([k, v]) => [`encoder.rnn.${k}`, v]));

describe('fromStateDict', () => {
  it('returns a union whose forward can be called as PyTorch calls it', () => {
    const modules: RecurrentModule[] = [fromStateDict(lstmSd(), { engine: 'reference' }), fromStateDict(weightsFor(gruCell, pattern, true), { engine: 'reference' })];
    const shapes = modules.map((m) => {
      const x = m.kind.endsWith('Cell') ? pattern([2, 3], 1) : pattern([5, 2, 3], 1);
      const { output, hN, cN } = m.forward(x);
      return [m.kind, output.shape, hN.shape, cN?.shape];
    });
    expect(shapes).toEqual([
      ['LSTM', [5, 2, 4], [4, 2, 2], [4, 2, 4]],
      ['GRUCell', [2, 2], [2, 2], undefined],
    ]);
  });

  it('with `kind`, returns that class and rejects a module of another kind', () => {
    const lstm: LSTM = fromStateDict(lstmSd(), { kind: 'LSTM' });
    expect(lstm).toBeInstanceOf(LSTM);
    expect(lstm.projSize).toBe(2);
    expect(codeOf(() => fromStateDict(lstmSd(), { kind: 'GRU' }))).toBe('E_PARAMETER_SHAPE');
    expect(codeOf(() => fromStateDict(lstmSd(), { kind: 'LSTMCell' }))).toBe('E_MISSING_PARAMETER');
    expect(codeOf(() => fromStateDict(lstmSd(), { kind: 'Conv1d' as 'LSTM' }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => LSTM.fromStateDict(lstmSd(), { kind: 'GRU' }))).toBe('E_BAD_OPTION');
  });

  it('rejects what is not a loaded state_dict with E_BAD_ARGUMENT, naming the fix', () => {
    const opened = { format: 'safetensors', tensors: new Map(), load: () => new Map() };
    for (const sd of [{}, null, undefined, 42, [['weight_ih_l0', null]], opened]) {
      expect(codeOf(() => fromStateDict(sd as never)), String(sd)).toBe('E_BAD_ARGUMENT');
    }
    expect(codeOf(() => fromStateDict(lstmSd(), 'LSTM' as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => RNN.fromStateDict(null as never))).toBe('E_BAD_ARGUMENT');
  });
});

describe('arguments of the wrong kind', () => {
  const lstm = (): LSTM => new LSTM(lstmConfig, weightsFor(lstmConfig, pattern));

  it('constructors and forward say E_BAD_ARGUMENT', () => {
    expect(codeOf(() => new LSTM(null as never, new Map()))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => new LSTM(lstmConfig, null as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => new LSTM(lstmConfig, { weight_ih_l0: new Float32Array(12) } as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => lstm().forward(null as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => lstm().forward(new Float32Array(6) as never))).toBe('E_BAD_ARGUMENT');
  });

  it('a cell takes no PackedSequence', () => {
    const cell = new GRUCell(gruCell, weightsFor(gruCell, pattern, true));
    const packed = packPaddedSequence(pattern([3, 2, 3], 1), [3, 2]);
    expect(codeOf(() => cell.forward(packed))).toBe('E_BAD_ARGUMENT');
  });

  it('hx is a pair exactly for LSTM and LSTMCell (E_HIDDEN_SHAPE)', () => {
    const x = pattern([5, 2, 3], 1);
    const h0 = pattern([4, 2, 2], 2);
    expect(codeOf(() => lstm().forward(x, h0))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => lstm().forward(x, [h0] as never))).toBe('E_HIDDEN_SHAPE');
    const gru = fromStateDict(weightsFor(gruCell, pattern, true));
    expect(codeOf(() => gru.forward(pattern([2, 3], 1), [pattern([2, 2], 2), pattern([2, 2], 3)]))).toBe('E_HIDDEN_SHAPE');
  });

  it('a stream state of the wrong form is E_HIDDEN_SHAPE', () => {
    const uni = { ...lstmConfig, bidirectional: false };
    const s = new LSTM(uni, weightsFor(uni, pattern)).stream({ batch: 2 });
    const [h] = s.state as readonly [Tensor, Tensor];
    expect(codeOf(() => (s.state = [h] as never))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => (s.state = h as never))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => s.step(null as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => s.step(new Float64Array(6)))).toBe('E_INPUT_DTYPE');
  });
});

describe('engines are chosen per module', () => {
  it('by the module\'s own options, side by side', () => {
    const w = weightsFor(lstmConfig, pattern);
    const ref = new LSTM({ ...lstmConfig, engine: 'reference' }, w);
    const fast = new LSTM({ ...lstmConfig, engine: 'fast', simd: 'plain' }, w);
    const auto = new LSTM(lstmConfig, w);
    expect([ref.engine, ref.simd]).toEqual(['reference', 'none']);
    expect([fast.engine, fast.simd]).toEqual(['fast', 'plain']);
    expect(auto.engine).toBe('fast');
    const x = pattern([5, 2, 3], 1);
    const a = ref.forward(x).output.data;
    const b = fast.forward(x).output.data;
    for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-6);
  });
});

describe('runModule', () => {
  it('packs with lengths (enforce_sorted=False) and pads back to T, as `rnnport run` does', () => {
    const m = new LSTM({ ...lstmConfig, engine: 'reference' }, weightsFor(lstmConfig, pattern));
    const x = pattern([5, 3, 3], 1);
    const lengths = [2, 5, 3];
    const r = runModule(m, { input: x, lengths });
    const packed = m.forward(packPaddedSequence(x, lengths, { enforceSorted: false }));
    expect(r.output.shape).toEqual([5, 3, 4]);
    expect(r.hN.data).toEqual(packed.hN.data);
    expect(r.cN?.data).toEqual(packed.cN.data);
    // past each length the output is exactly zero
    const out = r.output.data as Float32Array;
    for (let t = 2; t < 5; t++) for (let j = 0; j < 4; j++) expect(out[(t * 3 + 0) * 4 + j]).toBe(0);
  });

  it('refuses lengths for a cell or an unbatched input (E_BAD_OPTION)', () => {
    const cell = new GRUCell(gruCell, weightsFor(gruCell, pattern, true));
    expect(codeOf(() => runModule(cell, { input: pattern([2, 3], 1), lengths: [1, 1] }))).toBe('E_BAD_OPTION');
    const m = new LSTM(lstmConfig, weightsFor(lstmConfig, pattern));
    expect(codeOf(() => runModule(m, { input: pattern([5, 3], 1), lengths: [5] }))).toBe('E_BAD_OPTION');
  });
});
