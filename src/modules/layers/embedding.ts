/**
 * nn.Embedding (torch/nn/modules/sparse.py): a lookup table, weight (num_embeddings,
 * embedding_dim); input indices of any shape → output input.shape + (embedding_dim,).
 *
 * padding_idx changes nothing at inference: PyTorch zeroes that row when it initialises the
 * weight and keeps its gradient at zero, and its forward is the plain gather
 * (F.embedding(input, weight, padding_idx, …) returns weight[padding_idx] as stored). A negative
 * padding_idx counts from the end, as PyTorch normalises it. scale_grad_by_freq and sparse only
 * affect gradients: accepted for parity, ignored. max_norm renormalises the looked-up rows
 * (src/engine/embedding.ts).
 *
 * Both engines run the same JavaScript gather: a copy of embedding_dim contiguous values per index
 * (TypedArray.set), which a WebAssembly kernel could not beat after copying the indices in and
 * the rows out of its memory.
 */
import { layerParameters, type EmbeddingConfig } from '../../config.js';
import { embeddingGather } from '../../engine/embedding.js';
import { allocFloat } from '../../engine/linear.js';
import type { FloatArray } from '../../engine/types.js';
import { badArgument } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import type { StateDictLike } from '../discover.js';
import { bad, boolean, integer } from '../options.js';
import type { Weights } from '../weights.js';
import { LayerBase, layerFromStateDictArgs, prepareLayer, weightAt, type LayerCommonOptions } from './base.js';
import { checkIndices, type Indices } from './indices.js';

/** The options of nn.Embedding that its weight cannot tell (PyTorch's constructor arguments, camelCase). */
export interface EmbeddingLookupOptions {
  /** `padding_idx`: negative counts from the end; changes nothing at inference (see the class). @defaultValue null */
  readonly paddingIdx?: number | null;
  /** `max_norm`: looked-up rows with a larger `normType` norm are scaled to it. @defaultValue null */
  readonly maxNorm?: number | null;
  /** `norm_type`: the p of the norm for max_norm. @defaultValue 2 */
  readonly normType?: number;
  /** `scale_grad_by_freq`: gradients only; accepted for parity. @defaultValue false */
  readonly scaleGradByFreq?: boolean;
  /** `sparse`: gradients only; accepted for parity. @defaultValue false */
  readonly sparse?: boolean;
}

/** Options of nn.Embedding. */
export interface EmbeddingOptions extends LayerCommonOptions, EmbeddingLookupOptions {
  /** `num_embeddings`: rows of the table. */
  readonly numEmbeddings: number;
  /** `embedding_dim`: features per row. */
  readonly embeddingDim: number;
}

/** What `Embedding.fromStateDict` lets a caller choose: the sizes come from the weight's shape. */
export type EmbeddingFromStateDictOptions = LayerCommonOptions & EmbeddingLookupOptions;

function nullableNumber(name: string, value: unknown, check: (v: number) => boolean, expected: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !check(value)) throw bad(name, expected, value);
  return value;
}

/**
 * A lookup table, as torch.nn.Embedding in eval mode: `forward(indices)` returns the rows,
 * shape indices.shape + (embedding_dim,), in the layer's dtype. Indices are int64 / int32
 * tensors, BigInt64Array / Int32Array or nested arrays of integers; one outside
 * [0, num_embeddings) is E_INDEX_OUT_OF_RANGE (PyTorch: IndexError). Both engines run the same
 * gather (see the file comment).
 * @see torch.nn.Embedding
 * @example const embedding = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding', paddingIdx: 0 });
 */
export class Embedding extends LayerBase {
  static readonly kind = 'Embedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalised to [0, num_embeddings), or null. */
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;

  constructor(options: EmbeddingOptions, weights: Weights) {
    if (typeof options !== 'object' || options === null) throw badArgument('new Embedding(options, weights)', 'an options object ({ numEmbeddings, embeddingDim, … })', options);
    const config: EmbeddingConfig = { numEmbeddings: integer('numEmbeddings', options.numEmbeddings, 0), embeddingDim: integer('embeddingDim', options.embeddingDim, 0) };
    const n = config.numEmbeddings;
    // PyTorch: "Padding_idx must be within num_embeddings", then padding_idx += num_embeddings if negative
    const paddingIdx = nullableNumber('paddingIdx', options.paddingIdx, (v) => Number.isInteger(v) && v >= -n && v < n, `an integer in [-${n}, ${n}) (num_embeddings ${n}) or null`);
    const maxNorm = nullableNumber('maxNorm', options.maxNorm, (v) => v >= 0 && Number.isFinite(v), 'a number ≥ 0 or null');
    const normType = options.normType ?? 2;
    if (typeof normType !== 'number' || !(normType >= 0)) throw bad('normType', 'a number ≥ 0 (Infinity for the max norm)', normType);
    const scaleGradByFreq = boolean('scaleGradByFreq', options.scaleGradByFreq, false);
    const sparse = boolean('sparse', options.sparse, false);
    super('Embedding', prepareLayer('Embedding', options, weights, layerParameters('Embedding', config)));
    ({ numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim } = config);
    this.paddingIdx = paddingIdx === null || paddingIdx >= 0 ? paddingIdx : paddingIdx + n;
    this.maxNorm = maxNorm;
    this.normType = normType;
    this.scaleGradByFreq = scaleGradByFreq;
    this.sparse = sparse;
  }

  /**
   * Builds the nn.Embedding at `prefix` of a state_dict: `<prefix>weight` (num_embeddings,
   * embedding_dim) gives the sizes; padding_idx and max_norm are options (not in the state_dict).
   * @example const embedding = Embedding.fromStateDict(sd, { prefix: 'encoder.embedding' });
   */
  static fromStateDict(sd: StateDictLike, options: EmbeddingFromStateDictOptions = {}): Embedding {
    const common = layerFromStateDictArgs('Embedding', sd, options);
    const [numEmbeddings, embeddingDim] = weightAt(sd, common.prefix, 2, '2-d (num_embeddings, embedding_dim)').shape as [number, number];
    const { paddingIdx, maxNorm, normType, scaleGradByFreq, sparse } = options;
    const lookup = { paddingIdx, maxNorm, normType, scaleGradByFreq, sparse };
    const given = Object.fromEntries(Object.entries(lookup).filter(([, v]) => v !== undefined)) as EmbeddingLookupOptions;
    return new Embedding({ ...common, ...given, numEmbeddings, embeddingDim }, sd);
  }

  /** The rows of `input`'s indices: shape input.shape + (embedding_dim,). */
  forward(input: Indices): Tensor {
    this.checkLive();
    const { shape, values } = checkIndices(input, this.numEmbeddings);
    const D = this.embeddingDim;
    const y = allocFloat(this.dtype, values.length * D);
    embeddingGather(this.parameter('weight') as FloatArray, D, values, this.maxNorm, this.normType, this.dtype, y);
    return new Tensor(this.dtype, [...shape, D], y);
  }
}
