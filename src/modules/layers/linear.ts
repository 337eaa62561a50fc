/**
 * nn.Linear (torch/nn/modules/linear.py): y = x Wᵀ + b over the last dim, any leading dims.
 * weight (out_features, in_features), bias (out_features) unless bias=False. On the fast engine
 * the product is the WebAssembly GEMM of the recurrent layers (src/fast/linear.ts); on the
 * reference engine src/engine/linear.ts, which accumulates each dot product in float64 and rounds
 * once. PyTorch's CPU (MKL sgemm) sums in float32 in blocked order: both lie within the float32
 * tolerance of it (golden cases linear_*).
 */
import { layerParameters, type LinearConfig } from '../../config.js';
import type { FloatArray, PreparedLinear } from '../../engine/types.js';
import { badArgument, fail } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import type { StateDictLike } from '../discover.js';
import { checkDType } from '../forward.js';
import { boolean, integer } from '../options.js';
import type { Weights } from '../weights.js';
import { LayerBase, layerFromStateDictArgs, prepareLayer, weightAt, type LayerCommonOptions } from './base.js';

/** Options of nn.Linear (PyTorch's constructor arguments, camelCase). */
export interface LinearOptions extends LayerCommonOptions {
  /** `in_features`: size of each input's last dim. */
  readonly inFeatures: number;
  /** `out_features`: size of each output's last dim. */
  readonly outFeatures: number;
  /** `bias`: whether b exists. @defaultValue true */
  readonly bias?: boolean;
}

/** What `Linear.fromStateDict` lets a caller choose: the sizes and bias come from the shapes. */
export type LinearFromStateDictOptions = LayerCommonOptions;

/**
 * y = x Wᵀ + b, as torch.nn.Linear in eval mode. Input (*, in_features) of the layer's dtype →
 * output (*, out_features).
 * @see torch.nn.Linear
 * @example const head = Linear.fromStateDict(sd, { prefix: 'head' }); const logits = head.forward(features);
 */
export class Linear extends LayerBase {
  static readonly kind = 'Linear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
  private readonly linear: PreparedLinear;

  constructor(options: LinearOptions, weights: Weights) {
    if (typeof options !== 'object' || options === null) throw badArgument('new Linear(options, weights)', 'an options object ({ inFeatures, outFeatures, bias? })', options);
    const config: LinearConfig = {
      inFeatures: integer('inFeatures', options.inFeatures, 0),
      outFeatures: integer('outFeatures', options.outFeatures, 0),
      bias: boolean('bias', options.bias, true),
    };
    const layer = prepareLayer('Linear', options, weights, layerParameters('Linear', config));
    super('Linear', layer);
    ({ inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias } = config);
    this.linear = this.selected.prepareLinear({ dtype: this.dtype, ...config, weight: this.parameter('weight') as FloatArray, bias: this.parameter('bias') });
  }

  /**
   * Builds the nn.Linear at `prefix` of a state_dict: `<prefix>weight` (out, in) gives the sizes,
   * `<prefix>bias` whether there is a bias.
   * @example const head = Linear.fromStateDict(sd, { prefix: 'head' });
   */
  static fromStateDict(sd: StateDictLike, options: LinearFromStateDictOptions = {}): Linear {
    const common = layerFromStateDictArgs('Linear', sd, options);
    const [outFeatures, inFeatures] = weightAt(sd, common.prefix, 2, '2-d (out_features, in_features)').shape as [number, number];
    return new Linear({ ...common, inFeatures, outFeatures, bias: sd.has(`${common.prefix}bias`) }, sd);
  }

  /** y = x Wᵀ + b over the last dim: (*, in_features) → (*, out_features). */
  forward(input: Tensor): Tensor {
    this.checkLive();
    const x = checkDType('Linear.forward(input)', input, this.dtype);
    if (input.ndim === 0) throw fail('E_INPUT_RANK', { what: 'Linear.forward(input)', expected: '≥ 1-d (*, in_features)', got: '0-d ()' });
    const last = input.shape[input.ndim - 1] as number;
    if (last !== this.inFeatures) {
      throw fail('E_INPUT_SIZE', { what: `input.shape[${input.ndim - 1}]`, expected: `${this.inFeatures} (in_features)`, got: String(last) });
    }
    const rows = this.inFeatures === 0 ? input.shape.slice(0, -1).reduce((a, b) => a * b, 1) : x.length / this.inFeatures;
    return new Tensor(this.dtype, [...input.shape.slice(0, -1), this.outFeatures], this.linear.run(x, rows));
  }

  override dispose(): void {
    this.linear.dispose();
    super.dispose();
  }
}
