// nn.Linear: y = x Wᵀ + b over the last dim, built from a state_dict by prefix, with the error
// codes of the recurrent modules (tests assert codes and details, never message text).
import { describe, expect, it } from 'vitest';
import { float16ToNumber } from '../../../../src/dtype.js';
import { Linear } from '../../../../src/modules/layers/linear.js';
import { Tensor, tensor } from '../../../../src/tensor.js';
import { codeAt, codeOf, errorOf } from '../../../support/errors.js';
import { pattern, uniform } from '../helpers.js';

/** weight (3, 2) = [[1, 2], [3, 4], [5, 6]], bias [0.5, -1, 2]. */
const sd = (prefix = 'head.', bias = true): Map<string, Tensor> =>
  new Map([[`${prefix}weight`, tensor([1, 2, 3, 4, 5, 6], [3, 2])], ...(bias ? [[`${prefix}bias`, tensor([0.5, -1, 2], [3])] as [string, Tensor]] : [])]);

describe('Linear', () => {
  it('reads in_features, out_features and bias from the shapes at a prefix', () => {
    const head = Linear.fromStateDict(sd(), { prefix: 'head', engine: 'reference' });
    expect([head.kind, head.inFeatures, head.outFeatures, head.bias, head.dtype, head.prefix, head.engine]).toEqual(['Linear', 2, 3, true, 'float32', 'head.', 'reference']);
    expect([...head.stateDict().keys()]).toEqual(['weight', 'bias']);
    expect(Linear.fromStateDict(sd('', false)).bias).toBe(false);
  });

  for (const engine of ['reference', 'fast'] as const) {
    it(`computes x Wᵀ + b over the last dim of any rank (${engine} engine)`, () => {
      const head = Linear.fromStateDict(sd(), { prefix: 'head.', engine });
      expect(head.engine).toBe(engine);
      const y = head.forward(tensor([1, 1, 0, 2, -1, 0, 1, 0], [2, 2, 2]));
      expect(y.shape).toEqual([2, 2, 3]);
      expect(Array.from(y.data as Float32Array)).toEqual([3.5, 6, 13, 4.5, 7, 14, -0.5, -4, -3, 1.5, 2, 7]);
      expect(head.forward(tensor([1, 1], [2])).shape).toEqual([3]);
      expect(head.forward(tensor([], [0, 2])).shape).toEqual([0, 3]);
      const noBias = Linear.fromStateDict(sd('', false), { engine });
      expect(Array.from(noBias.forward(tensor([1, 1], [1, 2])).data as Float32Array)).toEqual([3, 7, 11]);
    });
  }

  it('gives the same numbers on both engines (float32 and float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const weights = new Map([['weight', uniform([37, 40], 1, dtype)], ['bias', uniform([37], 2, dtype)]]);
      const x = uniform([5, 3, 40], 3, dtype);
      const a = new Linear({ inFeatures: 40, outFeatures: 37, engine: 'reference' }, weights).forward(x);
      const b = new Linear({ inFeatures: 40, outFeatures: 37, engine: 'fast' }, weights).forward(x);
      expect(b.dtype).toBe(dtype);
      const tol = dtype === 'float32' ? 1e-5 : 1e-13;
      (b.data as Float32Array).forEach((v, i) => expect(Math.abs(v - (a.data as Float32Array)[i]!)).toBeLessThanOrEqual(tol));
    }
  });

  it('upcasts float16 weights exactly and computes in float32; float64 weights compute in float64', () => {
    const bits = Uint16Array.from([0x3c00, 0x3555, 0xc000, 0x0001]);
    const head = new Linear({ inFeatures: 2, outFeatures: 2, bias: false }, { weight: new Tensor('float16', [2, 2], bits) });
    expect(head.dtype).toBe('float32');
    expect(Array.from(head.stateDict().get('weight')!.data as Float32Array)).toEqual(Array.from(bits, float16ToNumber));
    const f64 = new Linear({ inFeatures: 2, outFeatures: 3 }, { weight: pattern([3, 2], 0, 'float64'), bias: pattern([3], 1, 'float64') });
    expect(f64.dtype).toBe('float64');
    expect(f64.forward(pattern([4, 2], 2, 'float64')).dtype).toBe('float64');
  });

  it('rejects missing, misshaped and unexpected parameters, naming the key', () => {
    expect(codeAt(() => Linear.fromStateDict(sd(), { prefix: 'fc' }))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'fc.weight' });
    expect(codeAt(() => Linear.fromStateDict(new Map([['w.weight', tensor([1, 2, 3], [3])]]), { prefix: 'w' }))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'w.weight' });
    expect(codeAt(() => new Linear({ inFeatures: 2, outFeatures: 3, bias: false, prefix: 'head' }, sd()))).toEqual({ code: 'E_UNEXPECTED_PARAMETER', at: 'head.bias' });
    expect(codeAt(() => new Linear({ inFeatures: 2, outFeatures: 3, prefix: 'head' }, sd('head.', false)))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'head.bias' });
    expect(codeAt(() => new Linear({ inFeatures: 3, outFeatures: 3, prefix: 'head' }, sd()))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'head.weight' });
    const ints = new Map([['weight', tensor(new Int32Array(6), [3, 2])]]);
    expect(codeAt(() => new Linear({ inFeatures: 2, outFeatures: 3, bias: false }, ints))).toEqual({ code: 'E_DTYPE_UNSUPPORTED', at: 'weight' });
  });

  it('rejects inputs of another dtype, rank 0 or another last dim', () => {
    const head = Linear.fromStateDict(sd(), { prefix: 'head' });
    expect(errorOf(() => head.forward(tensor(new Float64Array(4), [2, 2]))).detail).toMatchObject({ expected: 'float32 (the module\'s dtype)', got: 'float64' });
    expect(codeOf(() => head.forward(tensor(new Int32Array(4), [2, 2])))).toBe('E_INPUT_DTYPE');
    expect(codeOf(() => head.forward(tensor([1], [])))).toBe('E_INPUT_RANK');
    expect(errorOf(() => head.forward(tensor([1, 2, 3], [1, 3]))).detail).toMatchObject({ what: 'input.shape[1]', expected: '2 (in_features)', got: '3' });
    expect(errorOf(() => head.forward(tensor([1, 2, 3], [1, 3]))).code).toBe('E_INPUT_SIZE');
  });

  it('rejects bad options and arguments with E_BAD_OPTION / E_BAD_ARGUMENT', () => {
    expect(codeOf(() => new Linear({ inFeatures: -1, outFeatures: 3 }, sd()))).toBe('E_BAD_OPTION');
    expect(codeOf(() => new Linear({ inFeatures: 2, outFeatures: 3, prefix: 'head', engine: 'gpu' as 'fast' }, sd()))).toBe('E_BAD_OPTION');
    expect(codeOf(() => new Linear({ inFeatures: 2, outFeatures: 3, prefix: 'head', bias: 1 as unknown as boolean }, sd()))).toBe('E_BAD_OPTION');
    expect(codeOf(() => new Linear(null as never, sd()))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => new Linear({ inFeatures: 2, outFeatures: 3 }, null as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => Linear.fromStateDict({} as never))).toBe('E_BAD_ARGUMENT');
  });

  it('refuses to run after dispose (E_DISPOSED), on both engines', () => {
    for (const engine of ['reference', 'fast'] as const) {
      const head = Linear.fromStateDict(sd(), { prefix: 'head', engine });
      head.dispose();
      expect(codeOf(() => head.forward(tensor([1, 1], [1, 2])))).toBe('E_DISPOSED');
    }
  });
});
