import { describe, expect, it } from 'vitest';
import { paramName } from '../../../src/config.js';
import { displayPrefix, normalizePrefix, parseParamName } from '../../../src/state-dict/names.js';

describe('parameter names (RNNBase template)', () => {
  it('parses layered names under any prefix', () => {
    expect(parseParamName('encoder.rnn.weight_hh_l1_reverse')).toEqual({ prefix: 'encoder.rnn.', kind: 'weight_hh', layer: 1, reverse: true });
    expect(parseParamName('weight_hr_l0')).toEqual({ prefix: '', kind: 'weight_hr', layer: 0, reverse: false });
    expect(parseParamName('lstm.bias_ih_l12')).toEqual({ prefix: 'lstm.', kind: 'bias_ih', layer: 12, reverse: false });
  });

  it('parses cell names', () => {
    expect(parseParamName('dec.cell.bias_hh')).toEqual({ prefix: 'dec.cell.', kind: 'bias_hh', layer: null, reverse: false });
  });

  it('ignores other keys and names not at a dot boundary', () => {
    for (const key of ['fc.weight', 'myweight_ih_l0', 'weight_ih_l01', 'weight_hh_l0_raw', 'weight_hr', 'weight_ih_reverse', 'rnn.weight_ih_l0.x']) {
      expect(parseParamName(key)).toBeNull();
    }
  });

  it('formats names and prefixes', () => {
    expect(paramName('weight_ih', 2, true)).toBe('weight_ih_l2_reverse');
    expect(paramName('bias_hh', null)).toBe('bias_hh');
    expect(normalizePrefix('encoder.rnn')).toBe('encoder.rnn.');
    expect(normalizePrefix('')).toBe('');
    expect(displayPrefix('encoder.rnn.')).toBe('encoder.rnn');
    expect(displayPrefix('')).toBe('(root)');
  });
});
