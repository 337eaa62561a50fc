// nn.LayerNorm: normalisation over the trailing normalized_shape dims, its configuration read from
// the weight's shape, with and without elementwise_affine and bias (PyTorch ≥ 2.1).
import { describe, expect, it } from 'vitest';
import { LayerNorm } from '../../../../src/modules/layers/layer-norm.js';
import { Tensor, tensor } from '../../../../src/tensor.js';
import { codeAt, codeOf, errorOf } from '../../../support/errors.js';
import { uniform } from '../helpers.js';

/** (x − mean) / sqrt(var + eps) · γ + β in float64, biased variance, over rows of N. */
function expected(x: ArrayLike<number>, N: number, eps: number, gamma?: ArrayLike<number>, beta?: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let o = 0; o < x.length; o += N) {
    const row = Array.from({ length: N }, (_, j) => x[o + j]!);
    const mean = row.reduce((a, b) => a + b, 0) / N;
    const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / N;
    row.forEach((value, j) => out.push(((value - mean) / Math.sqrt(v + eps)) * (gamma?.[j] ?? 1) + (beta?.[j] ?? 0)));
  }
  return out;
}

const close = (got: Tensor, want: number[], tol: number): void => {
  expect(got.numel).toBe(want.length);
  (got.data as Float32Array).forEach((v, i) => {
    if (!(Math.abs(v - want[i]!) <= tol)) expect.fail(`element ${i}: got ${v}, expected ${want[i]}`);
  });
};

describe('LayerNorm', () => {
  const gamma = uniform([4, 6], 1);
  const beta = uniform([4, 6], 2);
  const sd = new Map([['norm.weight', gamma], ['norm.bias', beta]]);

  it('reads normalized_shape from the weight and bias from its presence; eps is an option', () => {
    const norm = LayerNorm.fromStateDict(sd, { prefix: 'norm', eps: 1e-3 });
    expect([norm.kind, norm.normalizedShape, norm.elementwiseAffine, norm.bias, norm.eps, norm.dtype]).toEqual(['LayerNorm', [4, 6], true, true, 1e-3, 'float32']);
    const noBias = LayerNorm.fromStateDict(new Map([['ln.weight', uniform([8], 3)]]), { prefix: 'ln' });
    expect([noBias.normalizedShape, noBias.bias, noBias.eps]).toEqual([[8], false, 1e-5]);
    expect([...noBias.stateDict().keys()]).toEqual(['weight']);
  });

  for (const engine of ['reference', 'fast'] as const) {
    it(`normalises over the trailing dims with γ and β (${engine} engine)`, () => {
      const norm = LayerNorm.fromStateDict(sd, { prefix: 'norm', engine });
      expect(norm.engine).toBe(engine);
      const x = uniform([3, 4, 6], 4, 'float32', 3);
      const y = norm.forward(x);
      expect(y.shape).toEqual([3, 4, 6]);
      close(y, expected(x.data as Float32Array, 24, 1e-5, gamma.data as Float32Array, beta.data as Float32Array), 2e-6);
    });
  }

  it('without elementwise_affine has no parameters: built with normalizedShape, from options or a state_dict', () => {
    const plain = new LayerNorm({ normalizedShape: 5, elementwiseAffine: false });
    expect([plain.normalizedShape, plain.bias, plain.stateDict().size]).toEqual([[5], false, 0]);
    const x = uniform([2, 5], 5, 'float64');
    const f64 = new LayerNorm({ normalizedShape: [5], elementwiseAffine: false, dtype: 'float64', eps: 0 });
    close(f64.forward(x), expected(x.data as Float64Array, 5, 0), 1e-15);
    const fromSd = LayerNorm.fromStateDict(new Map([['head.weight', uniform([2, 5], 6)]]), { prefix: 'norm', elementwiseAffine: false, normalizedShape: 5 });
    expect(fromSd.elementwiseAffine).toBe(false);
    expect(codeOf(() => LayerNorm.fromStateDict(sd, { prefix: 'x', elementwiseAffine: false }))).toBe('E_BAD_OPTION');
    expect(codeAt(() => LayerNorm.fromStateDict(sd, { prefix: 'norm', elementwiseAffine: false, normalizedShape: [4, 6] }))).toEqual({ code: 'E_UNEXPECTED_PARAMETER', at: 'norm.weight' });
  });

  it('a missing weight is E_MISSING_PARAMETER (no silent elementwise_affine=False); another shape E_PARAMETER_SHAPE', () => {
    expect(codeAt(() => LayerNorm.fromStateDict(sd, { prefix: 'ln' }))).toEqual({ code: 'E_MISSING_PARAMETER', at: 'ln.weight' });
    expect(codeAt(() => LayerNorm.fromStateDict(sd, { prefix: 'norm', normalizedShape: 24 }))).toEqual({ code: 'E_PARAMETER_SHAPE', at: 'norm.weight' });
    expect(codeAt(() => new LayerNorm({ normalizedShape: [4, 6], prefix: 'norm', bias: false }, sd))).toEqual({ code: 'E_UNEXPECTED_PARAMETER', at: 'norm.bias' });
  });

  it('rejects inputs whose trailing dims are not normalized_shape, of lower rank or of another dtype', () => {
    const norm = LayerNorm.fromStateDict(sd, { prefix: 'norm' });
    expect(errorOf(() => norm.forward(uniform([2, 6, 4], 7)))).toMatchObject({ code: 'E_INPUT_SIZE', detail: { what: 'input.shape[1:]', got: '(2, 6, 4)' } });
    expect(codeOf(() => norm.forward(uniform([6], 7)))).toBe('E_INPUT_RANK');
    expect(codeOf(() => norm.forward(uniform([4, 6], 7, 'float64')))).toBe('E_INPUT_DTYPE');
  });

  it('rejects bad options: empty or non-integer normalized_shape, negative eps', () => {
    for (const normalizedShape of [[], 0, [2.5], 'x']) {
      expect(codeOf(() => new LayerNorm({ normalizedShape: normalizedShape as number, elementwiseAffine: false }))).toBe('E_BAD_OPTION');
    }
    expect(codeOf(() => new LayerNorm({ normalizedShape: 4, elementwiseAffine: false, eps: -1 }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => new LayerNorm(null as never))).toBe('E_BAD_ARGUMENT');
  });

  it('keeps constant rows finite (variance 0: y = β) and refuses to run after dispose', () => {
    const norm = new LayerNorm({ normalizedShape: 3 }, { weight: tensor([1, 2, 3], [3]), bias: tensor([0.5, 0.25, -1], [3]) });
    expect(Array.from(norm.forward(tensor([7, 7, 7], [1, 3])).data as Float32Array)).toEqual([0.5, 0.25, -1]);
    norm.dispose();
    expect(codeOf(() => norm.forward(tensor([7, 7, 7], [1, 3])))).toBe('E_DISPOSED');
  });
});
