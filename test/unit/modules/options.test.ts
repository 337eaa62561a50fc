import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../../src/modules/options.js';
import { GRU, LSTM } from '../../../src/modules/rnn.js';
import { Tensor } from '../../../src/tensor.js';
import { codeOf, codeAt, pattern, weightsFor, type Config } from './helpers.js';

describe('options (PyTorch constructor rules)', () => {
  it('fills PyTorch defaults', () => {
    const o = resolveOptions('RNN', { inputSize: 3, hiddenSize: 4 });
    expect(o).toMatchObject({ mode: 'RNN_TANH', numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, projSize: 0, engine: 'auto', prefix: '' });
    expect(resolveOptions('RNN', { inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' }).mode).toBe('RNN_RELU');
    expect(resolveOptions('GRU', { inputSize: 3, hiddenSize: 4, prefix: 'encoder.rnn' }).prefix).toBe('encoder.rnn.');
  });

  it.each([
    ['proj_size on GRU', 'GRU', { projSize: 2 }],
    ['proj_size on RNN', 'RNN', { projSize: 1 }],
    ['proj_size ≥ hidden_size', 'LSTM', { projSize: 4 }],
    ['negative proj_size', 'LSTM', { projSize: -1 }],
    ['unknown nonlinearity', 'RNN', { nonlinearity: 'sigmoid' }],
    ['nonlinearity on GRU', 'GRU', { nonlinearity: 'tanh' }],
    ['hidden_size 0', 'GRU', { hiddenSize: 0 }],
    ['input_size 0', 'GRU', { inputSize: 0 }],
    ['num_layers 0', 'LSTM', { numLayers: 0 }],
    ['fractional num_layers', 'LSTM', { numLayers: 1.5 }],
    ['dropout > 1', 'GRU', { dropout: 1.5 }],
    ['batch_first on a cell', 'GRUCell', { batchFirst: true }],
    ['two layers for a cell', 'LSTMCell', { numLayers: 2 }],
    ['float16 compute', 'GRU', { dtype: 'float16' }],
    ['unknown engine', 'GRU', { engine: 'gpu' }],
  ] as const)('rejects %s with E_BAD_OPTION', (_, family, extra) => {
    expect(codeOf(() => resolveOptions(family, { inputSize: 3, hiddenSize: 4, ...(extra as object) }))).toBe('E_BAD_OPTION');
  });

  it('accepts options holding their defaults where a family lacks them', () => {
    expect(resolveOptions('GRUCell', { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, projSize: 0 } as object as { inputSize: number; hiddenSize: number }).mode).toBe('GRU');
  });
});

describe('weights (load_state_dict strict)', () => {
  const c: Config = { mode: 'GRU', inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, bias: true, projSize: 0 };
  const options = { inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true };

  it('names a missing parameter', () => {
    const w = weightsFor(c, pattern);
    w.delete('bias_hh_l1_reverse');
    expect(codeAt(() => new GRU(options, w))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'bias_hh_l1_reverse' });
  });

  it('names a misshaped parameter', () => {
    const w = weightsFor(c, pattern);
    w.set('weight_ih_l1', pattern([6, 3], 0));
    expect(codeAt(() => new GRU(options, w))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'weight_ih_l1' });
  });

  it('names an unexpected parameter and ignores unrelated keys', () => {
    const w = weightsFor(c, pattern);
    w.set('other.weight', pattern([1], 0));
    expect(codeOf(() => new GRU(options, w))).toBe('no error');
    w.set('weight_ih_l2', pattern([6, 4], 0));
    expect(codeAt(() => new GRU(options, w))).toEqual({ code: 'E_UNEXPECTED_PARAMETER', at: 'weight_ih_l2' });
  });

  it('reads keys under the prefix and names them in full', () => {
    const w = new Map([...weightsFor(c, pattern)].map(([k, v]) => [`enc.rnn.${k}`, v]));
    expect(new GRU({ ...options, prefix: 'enc.rnn' }, w).stateDict().size).toBe(16);
    w.delete('enc.rnn.weight_hh_l0');
    expect(codeAt(() => new GRU({ ...options, prefix: 'enc.rnn.' }, w))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'enc.rnn.weight_hh_l0' });
  });

  it('accepts a plain object of tensors', () => {
    const lc: Config = { ...c, mode: 'LSTM', numLayers: 1, bidirectional: false, bias: false, projSize: 1 };
    const m = new LSTM({ inputSize: 3, hiddenSize: 2, bias: false, projSize: 1 }, Object.fromEntries(weightsFor(lc, pattern)));
    expect([...m.stateDict().keys()]).toEqual(['weight_ih_l0', 'weight_hh_l0', 'weight_hr_l0']);
  });

  it('rejects integer weights', () => {
    const w = weightsFor(c, pattern);
    w.set('bias_ih_l0', new Tensor('int32', [6], new Int32Array(6)));
    expect(codeOf(() => new GRU(options, w))).toBe('E_DTYPE_UNSUPPORTED');
  });
});
