import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../support/errors.js';
import { chooseStateDict } from '../../../../src/io/pickle/state-dicts.js';
import { PyDict, StorageRef, TensorRef, type PickleValue } from '../../../../src/io/pickle/values.js';

const T = new TensorRef(new StorageRef('0', 'float32', 4), 'float32', 0, [1], [1]);

/** A dict from entries; nested plain objects become dicts. */
function d(entries: Record<string, PickleValue | Record<string, unknown>>): PyDict {
  const out = new PyDict(true);
  for (const [k, v] of Object.entries(entries)) {
    const isPlain = typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
    out.set(k, isPlain ? d(v as Record<string, PickleValue>) : (v as PickleValue), 'test');
  }
  return out;
}


const rnn = { weight_ih_l0: T, weight_hh_l0: T };

describe('chooseStateDict', () => {
  it('uses a top-level state_dict, ignoring non-tensor entries', () => {
    const c = chooseStateDict(d({ ...rnn, note: 'x', config: { size: 3 } }), undefined, 'test');
    expect([...c.tensors.keys()]).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(c.stateDictKeys).toBeUndefined();
    expect(c.key).toBeUndefined();
  });

  it('picks the only nested state_dict holding recurrent parameters, and says so', () => {
    const c = chooseStateDict(d({ model: rnn, head: { weight: T }, step: T, epoch: 3 }), undefined, 'test');
    expect(c.key).toBe('model');
    expect(c.stateDictKeys).toEqual(['model', 'head']);
  });

  it('finds cells and prefixed modules as recurrent', () => {
    expect(chooseStateDict(d({ a: { 'enc.cell.weight_ih': T }, b: { 'fc.weight': T } }), undefined, 't').key).toBe('a');
    expect(chooseStateDict(d({ a: { 'lstm.weight_ih_l1_reverse': T }, b: { 'fc.weight': T } }), undefined, 't').key).toBe('a');
  });

  it('lists the paths when several hold recurrent parameters', () => {
    const e = errorOf(() => chooseStateDict(d({ model: rnn, ema: { model: rnn } }), undefined, 'test'));
    expect(e.code).toBe('E_AMBIGUOUS_MODULE');
    expect(e.detail.got).toBe('model, ema.model');
  });

  it('never counts optimizer state', () => {
    const optimizer = { state: { s: { exp_avg: T } }, param_groups: [] };
    const c = chooseStateDict(d({ model: { 'fc.weight': T }, optimizer }), undefined, 'test');
    expect(c.stateDictKeys).toEqual(['model']);
  });

  it('resolves dot paths; an exact key with dots wins', () => {
    const root = d({ 'ema.model': { w: T }, ema: { model: { v: T } }, a: { 'b.c': { x: T } } });
    expect([...chooseStateDict(root, 'ema.model', 't').tensors.keys()]).toEqual(['w']);
    expect([...chooseStateDict(root, 'a.b.c', 't').tensors.keys()]).toEqual(['x']);
  });

  it('rejects keys that are absent or hold no tensors, and keys on a plain state_dict', () => {
    const root = d({ model: rnn, epoch: 3 });
    expect(errorOf(() => chooseStateDict(root, 'nope', 't')).code).toBe('E_KEY_NOT_FOUND');
    expect(errorOf(() => chooseStateDict(root, 'epoch', 't')).code).toBe('E_KEY_NOT_FOUND');
    expect(errorOf(() => chooseStateDict(d(rnn), 'model', 't')).code).toBe('E_BAD_OPTION');
  });

  it('finds nothing in a pickle without tensor dicts', () => {
    expect(errorOf(() => chooseStateDict([T], undefined, 't')).code).toBe('E_NO_MODULE');
    expect(errorOf(() => chooseStateDict(d({ a: 1 }), undefined, 't')).code).toBe('E_NO_MODULE');
  });

  it('terminates on dicts that contain themselves', () => {
    const root = d({ model: rnn });
    root.set('self', root, 't');
    expect(chooseStateDict(root, undefined, 't').key).toBe('model');
  });
});
