import { describe, expect, it } from 'vitest';
import { GRUCell, LSTMCell } from '../../../src/modules/cells.js';
import { GRU, LSTM, RNN } from '../../../src/modules/rnn.js';
import { fromStateDict } from '../../../src/modules/from-state-dict.js';
import { listModules } from '../../../src/state-dict/infer.js';
import { resolveModule } from '../../../src/state-dict/select.js';
import type { Tensor } from '../../../src/tensor.js';
import { codeOf, codeAt, pattern, weightsFor, type Config } from '../modules/helpers.js';

const base: Config = { mode: 'GRU', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, projSize: 0 };
const under = (prefix: string, c: Partial<Config>, cell = false): [string, Tensor][] =>
  [...weightsFor({ ...base, ...c }, pattern, cell)].map(([k, v]) => [prefix + k, v]);
const sd = (...parts: [string, Tensor][][]): Map<string, Tensor> => new Map(parts.flat());

describe('listModules', () => {
  it('finds every module with its kind and configuration from shapes', () => {
    const dict = sd(
      under('encoder.rnn.', { mode: 'LSTM', numLayers: 2, bidirectional: true, projSize: 2 }),
      under('decoder.cell.', { mode: 'GRU', bias: false }, true),
      under('', { mode: 'RNN_TANH', inputSize: 5, hiddenSize: 1 }),
    );
    dict.set('fc.weight', pattern([2, 2], 0));
    const found = listModules(dict);
    expect(found.map((m) => [m.prefix, m.kind])).toEqual([['encoder.rnn.', 'LSTM'], ['decoder.cell.', 'GRUCell'], ['', 'RNN']]);
    expect(found[0]?.config).toEqual({ inputSize: 3, hiddenSize: 4, numLayers: 2, bias: true, bidirectional: true, projSize: 2 });
    expect(found[0]?.parameters.length).toBe(20);
    expect(found[1]?.config).toEqual({ inputSize: 3, hiddenSize: 4, numLayers: 1, bias: false, bidirectional: false, projSize: 0 });
    expect(found[2]?.config).toMatchObject({ inputSize: 5, hiddenSize: 1 });
  });

  it('works from shapes alone', () => {
    const infos = new Map([
      ['weight_ih_l0', { dtype: 'bfloat16' as const, shape: [12, 7] }],
      ['weight_hh_l0', { dtype: 'bfloat16' as const, shape: [12, 4] }],
    ]);
    expect(listModules(infos)).toEqual([{ prefix: '', kind: 'GRU', config: { inputSize: 7, hiddenSize: 4, numLayers: 1, bias: false, bidirectional: false, projSize: 0 }, parameters: ['weight_ih_l0', 'weight_hh_l0'] }]);
  });

  it('rejects gate rows that are not 1, 3 or 4 × hidden_size', () => {
    const dict = sd(under('', {}));
    dict.set('weight_hh_l0', pattern([8, 4], 0));
    dict.set('weight_ih_l0', pattern([8, 3], 0));
    expect(codeAt(() => listModules(dict))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'weight_hh_l0' });
  });

  it('names a missing weight_hh_l0', () => {
    const dict = sd(under('rnn.', {}));
    dict.delete('rnn.weight_hh_l0');
    expect(codeAt(() => listModules(dict))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'rnn.weight_hh_l0' });
  });
});

describe('prefix selection (docs/cli.md, "Choosing the weights")', () => {
  const dict = sd(under('encoder.rnn.', {}), under('encoder.rnn2.', { mode: 'LSTM' }), under('decoder.lstm.', { mode: 'LSTM' }));
  const pick = (prefix?: string): string => resolveModule(dict, prefix).prefix;

  it('treats `encoder.rnn` and `encoder.rnn.` alike and stops at a dot boundary', () => {
    expect(pick('encoder.rnn')).toBe('encoder.rnn.');
    expect(pick('encoder.rnn.')).toBe('encoder.rnn.');
    expect(pick('encoder.rnn2')).toBe('encoder.rnn2.');
  });

  it('selects the one module under a parent prefix', () => {
    expect(pick('decoder')).toBe('decoder.lstm.');
  });

  it('is ambiguous without a prefix or with a parent holding several', () => {
    expect(codeOf(() => pick())).toBe('E_AMBIGUOUS_MODULE');
    expect(codeOf(() => pick('encoder'))).toBe('E_AMBIGUOUS_MODULE');
    expect(codeOf(() => pick(''))).toBe('E_AMBIGUOUS_MODULE');
  });

  it('lists the candidate prefixes when ambiguous, the root as (root)', () => {
    expect(() => resolveModule(sd(under('', {}), under('enc.', {})))).toThrow(
      expect.objectContaining({ code: 'E_AMBIGUOUS_MODULE', detail: expect.objectContaining({ got: '2: (root), enc' }) }),
    );
  });

  it('finds no module under an unknown prefix or a partial name', () => {
    expect(codeOf(() => pick('enc'))).toBe('E_NO_MODULE');
    expect(codeOf(() => resolveModule(new Map([['fc.weight', pattern([1], 0)]])))).toBe('E_NO_MODULE');
  });

  it('chooses a root module by default when alone, and by the empty prefix', () => {
    const root = sd(under('', {}));
    expect(resolveModule(root).prefix).toBe('');
    const both = sd(under('', {}), under('x.', {}));
    expect(resolveModule(both, '').prefix).toBe('');
  });
});

describe('fromStateDict', () => {
  it('builds the module the shapes describe', () => {
    expect(fromStateDict(sd(under('m.', { mode: 'LSTM', projSize: 2 })))).toBeInstanceOf(LSTM);
    expect(fromStateDict(sd(under('', { mode: 'RNN_TANH' })), { nonlinearity: 'relu' })).toMatchObject({ mode: 'RNN_RELU' });
    expect(fromStateDict(sd(under('c.', {}, true)))).toBeInstanceOf(GRUCell);
    const g = fromStateDict(sd(under('a.', {}), under('b.', { mode: 'LSTM', numLayers: 2 })), { prefix: 'b', batchFirst: true });
    expect(g).toMatchObject({ mode: 'LSTM', numLayers: 2, batchFirst: true });
  });

  it('checks the mode in X.fromStateDict', () => {
    const gru = sd(under('rnn.', {}));
    expect(GRU.fromStateDict(gru).hiddenSize).toBe(4);
    expect(codeAt(() => LSTM.fromStateDict(gru))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'rnn.weight_hh_l0' });
    expect(codeOf(() => RNN.fromStateDict(gru))).toBe('E_PARAMETER_SHAPE');
    expect(codeAt(() => GRUCell.fromStateDict(gru))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'rnn.weight_ih' });
    expect(codeOf(() => LSTMCell.fromStateDict(sd(under('', { mode: 'LSTM' }, true))))).toBe('no error');
  });

  it('rejects options that do not apply', () => {
    expect(codeOf(() => fromStateDict(sd(under('', {})), { nonlinearity: 'relu' }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => fromStateDict(sd(under('', {}, true)), { batchFirst: true }))).toBe('E_BAD_OPTION');
  });

  it('names missing parameters with their full key', () => {
    const dict = sd(under('enc.', { numLayers: 3 }));
    dict.delete('enc.bias_ih_l1');
    expect(codeAt(() => fromStateDict(dict))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'enc.bias_ih_l1' });
  });

  it('follows the weights’ dtype unless asked', () => {
    const f64 = new Map([...weightsFor(base, (s, k) => pattern(s, k, 'float64'))]);
    expect(fromStateDict(f64).dtype).toBe('float64');
    expect(fromStateDict(f64, { dtype: 'float32' }).dtype).toBe('float32');
  });
});
