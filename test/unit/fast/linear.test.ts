// nn.Linear on the fast engine: the packed GEMM against the reference engine's float64-accumulated
// product, over shapes that cross the panel width, the 4-row tiles and the 1024-row chunks.
import { describe, expect, it } from 'vitest';
import type { SimdOption } from '../../../src/config.js';
import type { FloatDType } from '../../../src/dtype.js';
import { referenceEngine } from '../../../src/engine/reference.js';
import type { LinearWeights } from '../../../src/engine/types.js';
import { createFastEngine } from '../../../src/fast/engine.js';
import { mulberry32 } from '../../../src/random.js';
import { codeOf } from '../../support/errors.js';

const simd = (process.env.RNNPORT_TEST_SIMD ?? 'plain') as SimdOption;
const fast = createFastEngine({ simd });

function random(n: number, seed: number, dtype: FloatDType): Float32Array | Float64Array {
  const next = mulberry32(seed);
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * next() - 1;
  return a;
}

function weights(K: number, N: number, bias: boolean, dtype: FloatDType, seed: number): LinearWeights {
  return { dtype, inFeatures: K, outFeatures: N, weight: random(N * K, seed, dtype), bias: bias ? random(N, seed + 1, dtype) : null };
}

describe('fast engine: nn.Linear', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 6], [4, 8, 8], [7, 13, 9], [70, 40, 37], [1030, 3, 4], [5, 0, 3], [0, 6, 5], [2, 6, 0]];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [rows, K, N] of shapes) {
      for (const bias of [true, false]) {
        it(`${dtype} rows ${rows}, in ${K}, out ${N}${bias ? '' : ', no bias'}: as the reference engine`, () => {
          const w = weights(K, N, bias, dtype, rows * 100 + K * 10 + N);
          const x = random(rows * K, 7, dtype);
          const want = referenceEngine.prepareLinear(w).run(x, rows);
          const prepared = fast.prepareLinear(w);
          const got = prepared.run(x, rows);
          prepared.dispose();
          expect(got.constructor).toBe(want.constructor);
          expect(got.length).toBe(rows * N);
          const tol = dtype === 'float32' ? 1e-5 : 1e-13;
          for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`element ${i}: ${got[i]} vs ${want[i]}`);
        });
      }
    }
  }

  it('runs again after a run (its buffers sit above the packed weights) and refuses after dispose', () => {
    const w = weights(6, 5, true, 'float32', 1);
    const prepared = fast.prepareLinear(w);
    const x = random(12, 3, 'float32');
    const first = prepared.run(x, 2);
    expect(prepared.run(random(6 * 2000, 4, 'float32'), 2000).length).toBe(10000);
    expect(prepared.run(x, 2)).toEqual(first);
    prepared.dispose();
    expect(codeOf(() => prepared.run(x, 2))).toBe('E_DISPOSED');
    const reference = referenceEngine.prepareLinear(w);
    reference.dispose();
    expect(codeOf(() => reference.run(x, 2))).toBe('E_DISPOSED');
  });
});
