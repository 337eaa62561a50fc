import { describe, expect, it } from 'vitest';
import { compareTensors, defaultTolerance } from '../../src/compare.js';
import { isRnnportError } from '../../src/errors.js';
import { tensor } from '../../src/tensor.js';

const tol = { atol: 1e-5, rtol: 1e-4 };

describe('compareTensors', () => {
  it('accepts |got − expected| ≤ atol + rtol·|expected| and reports the errors', () => {
    const expected = tensor([1, 100, -2, 0], [2, 2], 'float64');
    const got = tensor([1 + 1e-5, 100 + 0.01, -2, 0], [2, 2], 'float64');
    const r = compareTensors(got, expected, tol);
    expect(r.ok).toBe(true);
    expect(r.shapeOk).toBe(true);
    expect(r.mismatches).toBe(0);
    expect(r.maxAbs).toBeCloseTo(0.01, 12);
    expect(r.maxRel).toBeCloseTo(1e-4, 12);
    expect(r.worst).toEqual({ index: [0, 1], got: 100.01, expected: 100 });
  });

  it('rejects an element just past the bound and names its index and values', () => {
    const expected = tensor([0, 0, 0, 0, 0, 0], [1, 2, 3], 'float64');
    const got = tensor([0, 1e-6, 0, 0, 0, 2.1e-5], [1, 2, 3], 'float64');
    const r = compareTensors(got, expected, tol);
    expect(r.ok).toBe(false);
    expect(r.mismatches).toBe(1);
    expect(r.maxAbs).toBe(2.1e-5);
    // every expected value is 0 (within atol of 0): no relative error is meaningful
    expect(r.maxRel).toBe(0);
    expect(r.worst).toEqual({ index: [0, 1, 2], got: 2.1e-5, expected: 0 });
    expect(r.worstOfTolerance).toBeCloseTo(2.1, 12);
  });

  it('with atol 0 and rtol 0 shows the largest error as the worst, not the first', () => {
    const r = compareTensors(tensor([1 + 7e-9, 2 + 2.7e-7, 3 + 1e-8], [3], 'float64'), tensor([1, 2, 3], [3], 'float64'), { atol: 0, rtol: 0 });
    expect(r.mismatches).toBe(3);
    expect(r.worst?.index).toEqual([1]);
    expect(r.worstOfTolerance).toBe(Infinity);
  });

  it('says how close the worst element came to its tolerance', () => {
    const r = compareTensors(tensor([1 + 8e-6], [1], 'float64'), tensor([1], [1], 'float64'), tol);
    expect(r.ok).toBe(true);
    expect(r.worstOfTolerance).toBeCloseTo(8e-6 / (1e-5 + 1e-4), 9);
  });

  it('picks as worst the element furthest out of tolerance, not the largest absolute error', () => {
    // 0.05 on 1000 is inside rtol; 0.001 on 0 is 100 × atol out.
    const r = compareTensors(tensor([1000.05, 0.001], [2]), tensor([1000, 0], [2]), tol);
    expect(r.mismatches).toBe(1);
    expect(r.worst?.index).toEqual([1]);
    expect(r.maxAbs).toBeCloseTo(0.05, 3);
  });

  it('matches NaN only with NaN at the same index', () => {
    expect(compareTensors(tensor([NaN, 1], [2]), tensor([NaN, 1], [2]), tol).ok).toBe(true);
    const r = compareTensors(tensor([1, NaN], [2]), tensor([NaN, 1], [2]), tol);
    expect(r.ok).toBe(false);
    expect(r.mismatches).toBe(2);
    expect(r.maxAbs).toBe(Infinity);
    expect(r.worst?.index).toEqual([0]);
  });

  it('matches ±Inf only with the same infinity, even with a large rtol', () => {
    const loose = { atol: 1, rtol: 1 };
    expect(compareTensors(tensor([Infinity, -Infinity], [2]), tensor([Infinity, -Infinity], [2]), loose).ok).toBe(true);
    const r = compareTensors(tensor([-Infinity, 1e30, Infinity], [3]), tensor([Infinity, Infinity, 1e30], [3]), loose);
    expect(r.mismatches).toBe(3);
    expect(r.maxAbs).toBe(Infinity);
    expect(r.maxRel).toBe(Infinity);
  });

  it('fails on different shapes without comparing values', () => {
    const r = compareTensors(tensor([1, 2, 3, 4], [4]), tensor([1, 2, 3, 4], [2, 2]), tol);
    expect(r).toEqual({ ok: false, shapeOk: false, maxAbs: Infinity, maxRel: Infinity, worstOfTolerance: Infinity, mismatches: 4 });
  });

  it('passes empty tensors of equal shape with zero error and no worst element', () => {
    const r = compareTensors(tensor([], [2, 0, 3]), tensor([], [2, 0, 3]), tol);
    expect(r).toEqual({ ok: true, shapeOk: true, maxAbs: 0, maxRel: 0, worstOfTolerance: 0, mismatches: 0 });
    expect(compareTensors(tensor([], [0, 3]), tensor([], [3, 0]), tol).shapeOk).toBe(false);
  });

  it('compares values across dtypes (int64 lengths against int32, float32 against float64)', () => {
    const lengths = tensor(new BigInt64Array([5n, 3n]), [2]);
    expect(compareTensors(tensor(new Int32Array([5, 3]), [2]), lengths, { atol: 0, rtol: 0 }).ok).toBe(true);
    const r = compareTensors(tensor([0.1], [1], 'float32'), tensor([0.1], [1], 'float64'), { atol: 0, rtol: 0 });
    expect(r.ok).toBe(false);
    expect(r.maxAbs).toBe(Math.abs(Math.fround(0.1) - 0.1));
  });

  it('with zero tolerance accepts only exact equality', () => {
    expect(compareTensors(tensor([1, 2], [2]), tensor([1, 2], [2]), { atol: 0, rtol: 0 }).ok).toBe(true);
    expect(compareTensors(tensor([1, 2 + 2 ** -20], [2]), tensor([1, 2], [2]), { atol: 0, rtol: 0 }).ok).toBe(false);
  });

  it('rejects a negative or non-finite tolerance with E_BAD_OPTION', () => {
    const t = tensor([1], [1]);
    for (const bad of [{ atol: -1, rtol: 0 }, { atol: 0, rtol: NaN }, { atol: Infinity, rtol: 0 }]) {
      let caught: unknown;
      try {
        compareTensors(t, t, bad);
      } catch (e) {
        caught = e;
      }
      expect(isRnnportError(caught) && caught.code).toBe('E_BAD_OPTION');
    }
  });
});

describe('defaultTolerance', () => {
  it('is 1e-5 / 1e-4 for float32 (and narrower) and 1e-10 / 1e-8 for float64', () => {
    expect(defaultTolerance('float32')).toEqual({ atol: 1e-5, rtol: 1e-4 });
    expect(defaultTolerance('bfloat16')).toEqual({ atol: 1e-5, rtol: 1e-4 });
    expect(defaultTolerance('float64')).toEqual({ atol: 1e-10, rtol: 1e-8 });
  });
});
