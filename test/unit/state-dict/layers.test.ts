/**
 * Counts taken from names are checked against the parameters present: a lone
 * `weight_ih_l999999999` is E_MISSING_PARAMETER naming the first missing layer, found in as many
 * steps as there are layers, not a billion.
 */
import { describe, expect, it } from 'vitest';
import { listModules } from '../../../src/state-dict/infer.js';
import type { TensorInfo } from '../../../src/tensor.js';
import { codeAt } from '../../support/errors.js';

const f = (shape: number[]): TensorInfo => ({ dtype: 'float32', shape });
const gru = (extra: Record<string, number[]>): Map<string, TensorInfo> =>
  new Map(Object.entries({ 'rnn.weight_ih_l0': [6, 2], 'rnn.weight_hh_l0': [6, 2], ...extra }).map(([k, s]) => [k, f(s)]));

describe('num_layers from names', () => {
  it('is one more than the highest layer when every layer below has weight_ih and weight_hh', () => {
    expect(listModules(gru({ 'rnn.weight_ih_l1': [6, 2], 'rnn.weight_hh_l1': [6, 2] }))[0]?.config.numLayers).toBe(2);
  });

  it.each([
    [{ 'rnn.weight_ih_l999999999': [0, 2] }, 'rnn.weight_ih_l1'],
    [{ 'rnn.weight_ih_l999999999': [0, 2], 'rnn.weight_hh_l999999999': [0, 2] }, 'rnn.weight_ih_l1'],
    [{ 'rnn.weight_ih_l1': [6, 2] }, 'rnn.weight_hh_l1'],
    [{ 'rnn.bias_ih_l5_reverse': [6] }, 'rnn.weight_ih_l1'],
  ])('%j → E_MISSING_PARAMETER at %s', (extra, at) => {
    const start = performance.now();
    expect(codeAt(() => listModules(gru(extra)))).toEqual({ code: 'E_MISSING_PARAMETER', at });
    expect(performance.now() - start).toBeLessThan(100);
  });

  it('refuses a weight_hr_l0 with no rows (proj_size 0) or as many as hidden_size', () => {
    const lstm = (p: number): Map<string, TensorInfo> => new Map([['weight_ih_l0', f([16, 3])], ['weight_hh_l0', f([16, p])], ['weight_hr_l0', f([p, 4])]]);
    expect(codeAt(() => listModules(lstm(0)))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'weight_hr_l0' });
    expect(codeAt(() => listModules(lstm(4)))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'weight_hr_l0' });
    expect(listModules(lstm(2))[0]?.config).toMatchObject({ hiddenSize: 4, projSize: 2 });
  });

  it('reads a parameter name holding a newline', () => {
    expect(listModules(new Map([['a\nb.weight_ih_l0', f([6, 2])], ['a\nb.weight_hh_l0', f([6, 2])]]))[0]?.prefix).toBe('a\nb.');
  });
});
