// Property: the fast engine equals the reference engine (float32: ≤ 1e-5 abs, float64: ≤ 1e-12) on
// random stacks, packed batches, states and saturating inputs. The kernel build comes from RNNPORT_TEST_SIMD
// (`plain` by default; the relaxed project sets `relaxed` and --experimental-wasm-relaxed-simd).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../src/engine/reference.js';
import type { FloatDType } from '../../src/dtype.js';
import type { FloatArray, StackInput } from '../../src/engine/types.js';
import { createFastEngine } from '../../src/fast/engine.js';
import type { SimdOption } from '../../src/config.js';
import { maxAbsDiff, randomCase, stackCase, type CaseSpec } from '../unit/fast/cases.js';

const simd = (process.env.RNNPORT_TEST_SIMD ?? 'plain') as SimdOption;
const fast = createFastEngine({ simd });

/** Runs one random case on both engines and asserts every result agrees within `atol`. */
function expectSameAsReference(spec: CaseSpec, dtype: FloatDType, atol: number): void {
  const { config, weights, input } = randomCase(spec, dtype);
  const want = referenceEngine.prepare(config, weights).run(input);
  const prepared = fast.prepare(config, weights);
  expect(prepared.engine.name).toBe('fast');
  const got = prepared.run(input);
  prepared.dispose();
  expect(got.output.constructor).toBe(want.output.constructor);
  expect(got.output.length).toBe(want.output.length);
  expect(maxAbsDiff(got.output, want.output)).toBeLessThanOrEqual(atol);
  expect(maxAbsDiff(got.hN, want.hN)).toBeLessThanOrEqual(atol);
  if (want.cN !== null) expect(maxAbsDiff(got.cN as FloatArray, want.cN)).toBeLessThanOrEqual(atol);
}

describe(`fast engine (${simd} SIMD) equals the reference engine`, () => {
  it('on random stacks, packed batches and initial states', () => {
    fc.assert(
      fc.property(stackCase(), (spec) => expectSameAsReference(spec, 'float32', 1e-5)),
      { numRuns: 150, seed: 20261125 },
    );
  });

  it('in float64 on random stacks, packed batches and initial states', () => {
    fc.assert(
      fc.property(stackCase(), (spec) => expectSameAsReference(spec, 'float64', 1e-12)),
      { numRuns: 100, seed: 64 },
    );
  });

  it('runs the same prepared stack twice with the same result (no state leaks between runs)', () => {
    fc.assert(
      fc.property(stackCase(), (spec) => {
        const { config, weights, input } = randomCase(spec);
        const prepared = fast.prepare(config, weights);
        const first = prepared.run(input);
        const again: StackInput = { ...input, x: input.x.slice() };
        const second = prepared.run(again);
        expect(second.output).toEqual(first.output);
        expect(second.hN).toEqual(first.hN);
      }),
      { numRuns: 30, seed: 7 },
    );
  });
});
