/**
 * nn.LayerNorm (torch/nn/modules/normalization.py): normalises over the trailing dims
 * normalized_shape, y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β, biased variance; γ (weight) and
 * β (bias) of shape normalized_shape exist with elementwise_affine (β unless bias=False, PyTorch
 * ≥ 2.1). eps is not in the state_dict: an option. Numerics: Note [LayerNorm numerics] in
 * src/engine/layer-norm.ts.
 *
 * Both engines run the same JavaScript loop (src/engine/layer-norm.ts): LayerNorm reads each
 * element three times and does a few operations per read, so a WebAssembly kernel would spend
 * what it saves on copying the rows into its memory and back.
 */
import { layerParameters, type LayerNormConfig } from '../../config.js';
import { layerNorm } from '../../engine/layer-norm.js';
import { allocFloat } from '../../engine/linear.js';
import { badArgument, fail } from '../../errors.js';
import { formatShape, Tensor } from '../../tensor.js';
import type { StateDictLike } from '../discover.js';
import { checkDType } from '../forward.js';
import { bad, boolean, integer } from '../options.js';
import type { Weights } from '../weights.js';
import { LayerBase, layerFromStateDictArgs, prepareLayer, weightAt, type LayerCommonOptions } from './base.js';

/** Options of nn.LayerNorm (PyTorch's constructor arguments, camelCase). */
export interface LayerNormOptions extends LayerCommonOptions {
  /** `normalized_shape`: the trailing dims to normalise over; an integer n is `[n]`. */
  readonly normalizedShape: number | readonly number[];
  /** `eps`, added to the variance. @defaultValue 1e-5 */
  readonly eps?: number;
  /** `elementwise_affine`: whether γ (weight) and β (bias) exist. @defaultValue true */
  readonly elementwiseAffine?: boolean;
  /** `bias`: whether β exists (with elementwise_affine). @defaultValue true */
  readonly bias?: boolean;
}

/**
 * What `LayerNorm.fromStateDict` lets a caller choose. normalized_shape and bias come from the
 * weight's and bias's shapes; a LayerNorm without elementwise_affine has no parameters, so it
 * takes `elementwiseAffine: false` and `normalizedShape`.
 */
export interface LayerNormFromStateDictOptions extends LayerCommonOptions {
  /** @defaultValue 1e-5 */
  readonly eps?: number;
  /** The weight's shape when there is one (then it must match); required with `elementwiseAffine: false`. */
  readonly normalizedShape?: number | readonly number[];
  /** false: no parameters at the prefix (E_UNEXPECTED_PARAMETER if there are). @defaultValue true */
  readonly elementwiseAffine?: boolean;
}

function shapeOption(value: unknown): number[] {
  const dims = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(dims) || dims.length === 0) throw bad('normalizedShape', 'an integer or a non-empty array of integers ≥ 1', Array.isArray(dims) ? '[]' : value);
  return dims.map((d, i) => integer(`normalizedShape[${i}]`, d, 1));
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims, as torch.nn.LayerNorm (CPU):
 * input (*, …normalized_shape) of the layer's dtype → output of its shape. Both engines run the
 * same loop (see the file comment).
 * @see torch.nn.LayerNorm
 * @example const norm = LayerNorm.fromStateDict(sd, { prefix: 'norm', eps: 1e-5 });
 */
export class LayerNorm extends LayerBase {
  static readonly kind = 'LayerNorm';
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** Whether β exists (elementwise_affine and bias). */
  readonly bias: boolean;

  constructor(options: LayerNormOptions, weights: Weights = new Map()) {
    if (typeof options !== 'object' || options === null) throw badArgument('new LayerNorm(options, weights)', 'an options object ({ normalizedShape, eps?, … })', options);
    const elementwiseAffine = boolean('elementwiseAffine', options.elementwiseAffine, true);
    const config: LayerNormConfig = {
      normalizedShape: shapeOption(options.normalizedShape),
      elementwiseAffine,
      bias: boolean('bias', options.bias, true) && elementwiseAffine,
    };
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps >= 0 && Number.isFinite(eps))) throw bad('eps', 'a number ≥ 0', eps);
    super('LayerNorm', prepareLayer('LayerNorm', options, weights, layerParameters('LayerNorm', config)));
    this.normalizedShape = Object.freeze(config.normalizedShape);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.bias = config.bias;
  }

  /**
   * Builds the nn.LayerNorm at `prefix` of a state_dict: `<prefix>weight` gives normalized_shape,
   * `<prefix>bias` whether β exists; eps is an option.
   * @example const norm = LayerNorm.fromStateDict(sd, { prefix: 'norm' });
   */
  static fromStateDict(sd: StateDictLike, options: LayerNormFromStateDictOptions = {}): LayerNorm {
    const common = layerFromStateDictArgs('LayerNorm', sd, options);
    const { eps, normalizedShape, elementwiseAffine } = options;
    const extra = { ...(eps !== undefined && { eps }), ...(elementwiseAffine !== undefined && { elementwiseAffine }) };
    if (elementwiseAffine === false) {
      if (normalizedShape === undefined) {
        throw fail('E_BAD_OPTION', { what: 'LayerNorm.fromStateDict options.normalizedShape', expected: 'the normalized_shape (without elementwise_affine there is no weight to read it from)', got: 'none' });
      }
      return new LayerNorm({ ...common, ...extra, normalizedShape }, sd);
    }
    const weight = weightAt(sd, common.prefix, 0, 'of shape normalized_shape (≥ 1-d)', ', or options elementwiseAffine: false and normalizedShape for a LayerNorm without parameters');
    return new LayerNorm({ ...common, ...extra, normalizedShape: normalizedShape ?? weight.shape, bias: sd.has(`${common.prefix}bias`) }, sd);
  }

  /** Normalises `input` over its trailing normalized_shape dims; the output has input's shape. */
  forward(input: Tensor): Tensor {
    this.checkLive();
    const x = checkDType('LayerNorm.forward(input)', input, this.dtype);
    const k = this.normalizedShape.length;
    const expected = `(*, ${this.normalizedShape.join(', ')}) (normalized_shape ${formatShape(this.normalizedShape)})`;
    if (input.ndim < k) throw fail('E_INPUT_RANK', { what: 'LayerNorm.forward(input)', expected: `≥ ${k}-d ${expected}`, got: `${input.ndim}-d ${formatShape(input.shape)}` });
    const trailing = input.shape.slice(input.ndim - k);
    if (trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw fail('E_INPUT_SIZE', { what: `input.shape[${input.ndim - k}:]`, expected, got: formatShape(input.shape) });
    }
    const N = this.normalizedShape.reduce((a, b) => a * b, 1);
    const y = allocFloat(this.dtype, x.length);
    layerNorm(x, x.length / N, N, this.eps, this.parameter('weight'), this.parameter('bias'), this.dtype, y);
    return new Tensor(this.dtype, input.shape, y);
  }
}
