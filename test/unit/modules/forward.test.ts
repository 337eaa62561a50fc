import { describe, expect, it } from 'vitest';
import { numberToFloat16 } from '../../../src/dtype.js';
import { packPaddedSequence } from '../../../src/engine/packed.js';
import { GRUCell, LSTMCell, RNNCell } from '../../../src/modules/cells.js';
import { GRU, LSTM, RNN } from '../../../src/modules/rnn.js';
import { Tensor, tensor } from '../../../src/tensor.js';
import { codeOf, pattern, weightsFor, type Config } from './helpers.js';

const lstmConfig: Config = { mode: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, bias: true, projSize: 2 };
const lstm = (batchFirst = false): LSTM => new LSTM({ ...lstmConfig, batchFirst }, weightsFor(lstmConfig, pattern));
const gruConfig: Config = { mode: 'GRU', inputSize: 3, hiddenSize: 2, numLayers: 1, bidirectional: false, bias: true, projSize: 0 };
const gru = (): GRU => new GRU(gruConfig, weightsFor(gruConfig, pattern));

describe('forward shapes (PyTorch)', () => {
  it('gives (T, B, D·H_out), h_n (L·D, B, H_out) and c_n (L·D, B, H)', () => {
    const { output, hN, cN } = lstm().forward(pattern([5, 2, 3], 1));
    expect(output.shape).toEqual([5, 2, 4]);
    expect(hN.shape).toEqual([4, 2, 2]);
    expect(cN.shape).toEqual([4, 2, 4]);
  });

  it('keeps batch-first input and output but never batch-first states', () => {
    const { output, hN } = lstm(true).forward(pattern([2, 5, 3], 1));
    expect(output.shape).toEqual([2, 5, 4]);
    expect(hN.shape).toEqual([4, 2, 2]);
  });

  it('drops the batch dimension for unbatched input, ignoring batchFirst', () => {
    const { output, hN, cN } = lstm(true).forward(pattern([5, 3], 1), [pattern([4, 2], 2), pattern([4, 4], 3)]);
    expect(output.shape).toEqual([5, 4]);
    expect(hN.shape).toEqual([4, 2]);
    expect(cN.shape).toEqual([4, 4]);
  });

  it('returns empty results for B = 0', () => {
    const { output, hN, cN } = lstm().forward(pattern([3, 0, 3], 1));
    expect(output.shape).toEqual([3, 0, 4]);
    expect(hN.shape).toEqual([4, 0, 2]);
    expect(cN.shape).toEqual([4, 0, 4]);
  });

  it('returns a PackedSequence for a PackedSequence, with the same indices', () => {
    const packed = packPaddedSequence(pattern([4, 3, 3], 1), [2, 4, 1], { enforceSorted: false });
    const { output, hN } = lstm().forward(packed);
    expect(output.batchSizes).toEqual(packed.batchSizes);
    expect(output.sortedIndices).toEqual(packed.sortedIndices);
    expect(output.data.shape).toEqual([7, 4]);
    expect(hN.shape).toEqual([4, 3, 2]);
  });

  it('computes in float64 when the weights are float64', () => {
    const m = new GRU(gruConfig, weightsFor(gruConfig, (s, k) => pattern(s, k, 'float64')));
    expect(m.dtype).toBe('float64');
    expect(m.forward(pattern([2, 1, 3], 1, 'float64')).output.dtype).toBe('float64');
  });

  it('upcasts float16 weights exactly', () => {
    const f16 = (shape: readonly number[], s: number): Tensor => {
      const p = pattern(shape, s);
      return new Tensor('float16', shape, Uint16Array.from(p.data as Float32Array, numberToFloat16));
    };
    const a = gru().forward(pattern([3, 2, 3], 1));
    const m = new GRU(gruConfig, weightsFor(gruConfig, f16));
    expect(m.dtype).toBe('float32');
    const b = m.forward(pattern([3, 2, 3], 1));
    expect(b.output.data).toEqual(a.output.data);
    expect(m.stateDict().get('weight_ih_l0')?.dtype).toBe('float32');
  });
});

describe('saturation', () => {
  it('keeps GRU and LSTM outputs finite and within [−1, 1] for huge inputs', () => {
    const x = pattern([4, 2, 3], 1);
    const big = new Tensor('float32', x.shape, (x.data as Float32Array).map((v) => v * 1e6));
    for (const { output, hN } of [gru().forward(big), lstm().forward(big)]) {
      for (const v of [...output.data, ...hN.data] as number[]) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
  });
});

describe('forward errors (codes as PyTorch raises them)', () => {
  it('rejects input of rank other than 2 or 3', () => {
    expect(codeOf(() => gru().forward(pattern([3], 1)))).toBe('E_INPUT_RANK');
    expect(codeOf(() => gru().forward(pattern([1, 2, 2, 3], 1)))).toBe('E_INPUT_RANK');
  });

  it('rejects a feature size other than input_size', () => {
    expect(codeOf(() => gru().forward(pattern([2, 1, 4], 1)))).toBe('E_INPUT_SIZE');
  });

  it('rejects T = 0', () => {
    expect(codeOf(() => gru().forward(pattern([0, 2, 3], 1)))).toBe('E_EMPTY_SEQUENCE');
    expect(codeOf(() => lstm(true).forward(pattern([2, 0, 3], 1)))).toBe('E_EMPTY_SEQUENCE');
  });

  it('rejects another dtype than the module’s (no promotion)', () => {
    expect(codeOf(() => gru().forward(pattern([2, 1, 3], 1, 'float64')))).toBe('E_INPUT_DTYPE');
    expect(codeOf(() => gru().forward(pattern([2, 1, 3], 1), pattern([1, 1, 2], 1, 'float64')))).toBe('E_INPUT_DTYPE');
  });

  it('rejects misshaped h0 / c0 and a state rank other than the input’s', () => {
    expect(codeOf(() => gru().forward(pattern([2, 3, 3], 1), pattern([1, 2, 2], 1)))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => gru().forward(pattern([2, 3, 3], 1), pattern([1, 2], 1)))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => gru().forward(pattern([2, 3], 1), pattern([1, 1, 2], 1)))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => lstm().forward(pattern([2, 1, 3], 1), [pattern([4, 1, 2], 1), pattern([4, 1, 2], 1)]))).toBe('E_HIDDEN_SHAPE');
  });

  it('rejects a forward after dispose', () => {
    const m = new RNN({ inputSize: 3, hiddenSize: 2, engine: 'reference' }, weightsFor({ ...gruConfig, mode: 'RNN_TANH' }, pattern));
    m.dispose();
    expect(codeOf(() => m.forward(pattern([1, 1, 3], 1)))).toBe('E_DISPOSED');
  });
});

describe('cells', () => {
  const cfg = (mode: Config['mode']): Config => ({ ...gruConfig, mode });
  it('take (B, I) or (I) and return (B, H) or (H)', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 2 }, weightsFor(cfg('GRU'), pattern, true));
    expect(cell.forward(pattern([4, 3], 1)).hN.shape).toEqual([4, 2]);
    expect(cell.forward(pattern([3], 1), pattern([2], 2)).hN.shape).toEqual([2]);
    const l = new LSTMCell({ inputSize: 3, hiddenSize: 2 }, weightsFor(cfg('LSTM'), pattern, true));
    const { hN, cN } = l.forward(pattern([0, 3], 1));
    expect([hN.shape, cN.shape]).toEqual([[0, 2], [0, 2]]);
  });

  it('match a 1-step module with the same weights', () => {
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 2, nonlinearity: 'relu' }, weightsFor(cfg('RNN_RELU'), pattern, true));
    const rnn = new RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: 'relu' }, weightsFor(cfg('RNN_RELU'), pattern));
    const x = pattern([2, 3], 5);
    expect(cell.forward(x, pattern([2, 2], 6)).hN.data).toEqual(rnn.forward(x.reshape([1, 2, 3]), pattern([1, 2, 2], 6)).hN.data);
  });

  it('reject bad ranks, sizes and states', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 2 }, weightsFor(cfg('GRU'), pattern, true));
    expect(codeOf(() => cell.forward(pattern([1, 1, 3], 1)))).toBe('E_INPUT_RANK');
    expect(codeOf(() => cell.forward(pattern([1, 4], 1)))).toBe('E_INPUT_SIZE');
    expect(codeOf(() => cell.forward(pattern([1, 3], 1), pattern([2], 1)))).toBe('E_HIDDEN_SHAPE');
    expect(codeOf(() => cell.forward(tensor([1, 2, 3], [3], 'float64')))).toBe('E_INPUT_DTYPE');
  });
});
