/**
 * The configuration vocabulary of a recurrent module, in one place: the module kinds, PyTorch's
 * mode strings, the sizes and flags a state_dict fixes, gates per mode, H_out, and the names and
 * shapes of the parameters (docs/semantics.md, "Parameters"). Everything else — the engines, the
 * modules, state_dict discovery, explain, the CLI, ONNX export — takes these from here.
 *
 * PyTorch names its parameters from one template (torch/nn/modules/rnn.py, RNNBase.__init__):
 *   weight_ih_l{k}{suffix}  (G·H, I_k)       I_0 = input_size, I_k = D·H_out for k > 0
 *   weight_hh_l{k}{suffix}  (G·H, H_out)
 *   bias_ih_l{k}{suffix}, bias_hh_l{k}{suffix}  (G·H)      absent with bias=False
 *   weight_hr_l{k}{suffix}  (P, H)           LSTM with proj_size P > 0 only; then H_out = P
 * suffix '' (forward) or '_reverse'; the cells (RNNCellBase) use weight_ih, weight_hh, bias_ih, bias_hh.
 * https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/modules/rnn.py#L204-L208
 */

/** The recurrent module classes, PyTorch's names. */
export type ModuleKind = 'RNN' | 'GRU' | 'LSTM' | 'RNNCell' | 'GRUCell' | 'LSTMCell';

/** Every kind, layered modules first. */
export const MODULE_KINDS: readonly ModuleKind[] = ['RNN', 'GRU', 'LSTM', 'RNNCell', 'GRUCell', 'LSTMCell'];

/** A kind without its `Cell` suffix: the recurrence it computes. */
export type Family = 'RNN' | 'GRU' | 'LSTM';

/** PyTorch's mode strings (torch/nn/modules/rnn.py, RNNBase.mode): the family plus RNN's activation. */
export type Mode = 'RNN_TANH' | 'RNN_RELU' | 'GRU' | 'LSTM';

/** nn.RNN's `nonlinearity`. */
export type Nonlinearity = 'tanh' | 'relu';

/** Which engine runs a module: `auto` = the WebAssembly engine where available, else the reference. */
export type EngineChoice = 'auto' | 'reference' | 'fast';

/** The fast engine's kernel build: relaxed-SIMD fused multiply-add, plain SIMD128, or `auto` (relaxed where the runtime validates it). */
export type SimdOption = 'auto' | 'relaxed' | 'plain';

/** What a module's parameters fix (a cell: one layer, one direction, no projection). */
export interface ModuleConfig {
  /** `input_size` */
  readonly inputSize: number;
  /** `hidden_size` (H) */
  readonly hiddenSize: number;
  /** `num_layers` (L) */
  readonly numLayers: number;
  /** `bias`: whether b_ih and b_hh exist */
  readonly bias: boolean;
  /** `bidirectional` (D = 2 when true) */
  readonly bidirectional: boolean;
  /** `proj_size` (P): 0 when there is no projection, LSTM only */
  readonly projSize: number;
}

/** What the engines run: the shape and the mode. */
export interface StackConfig extends ModuleConfig {
  readonly mode: Mode;
}

/** True for RNNCell, GRUCell and LSTMCell. */
export function isCell(kind: ModuleKind): boolean {
  return kind.endsWith('Cell');
}

/** RNN for RNN and RNNCell, and so on. */
export function familyOf(kind: ModuleKind | Mode): Family {
  if (kind === 'RNN_TANH' || kind === 'RNN_RELU') return 'RNN';
  return (kind.endsWith('Cell') ? kind.slice(0, -4) : kind) as Family;
}

/** The mode of a family with RNN's activation. */
export function modeOf(family: Family, nonlinearity: Nonlinearity = 'tanh'): Mode {
  return family === 'RNN' ? (nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH') : family;
}

/** G, the gate blocks per hidden unit: 1 (RNN), 3 (GRU: r, z, n), 4 (LSTM: i, f, g, o). */
export function gateCount(kind: ModuleKind | Mode): number {
  const family = familyOf(kind);
  return family === 'LSTM' ? 4 : family === 'GRU' ? 3 : 1;
}

/** The family whose gate count is G, or null. */
export function familyOfGates(G: number): Family | null {
  return G === 1 ? 'RNN' : G === 3 ? 'GRU' : G === 4 ? 'LSTM' : null;
}

/** H_out: proj_size when the LSTM projects, else hidden_size. The size of h and of each direction's output. */
export function outSize(shape: Pick<ModuleConfig, 'hiddenSize' | 'projSize'>): number {
  return shape.projSize > 0 ? shape.projSize : shape.hiddenSize;
}

/** D: 2 for a bidirectional module, else 1. */
export function numDirections(shape: Pick<ModuleConfig, 'bidirectional'>): number {
  return shape.bidirectional ? 2 : 1;
}

/** The parameter kinds, PyTorch's spelling, in registration order. */
export const PARAM_KINDS = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh', 'weight_hr'] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

/** The name of a parameter: `weight_ih_l1_reverse`, or `weight_ih` for a cell (layer null). */
export function paramName(kind: ParamKind, layer: number | null, reverse = false): string {
  return layer === null ? kind : `${kind}_l${layer}${reverse ? '_reverse' : ''}`;
}

/** One parameter a module has: its name (without prefix), shape and what the dims mean. */
export interface ExpectedParameter {
  readonly name: string;
  readonly kind: ParamKind;
  /** null for a cell's parameter. */
  readonly layer: number | null;
  readonly reverse: boolean;
  readonly shape: readonly number[];
  /** The dims in PyTorch's words, e.g. `gate_size, input_size`. */
  readonly meaning: string;
}

/**
 * The parameters of a module, in PyTorch's registration order (layer, then direction, then
 * weight_ih, weight_hh, bias_ih, bias_hh, weight_hr), with their shapes.
 */
export function expectedParameters(kind: ModuleKind, shape: ModuleConfig): ExpectedParameter[] {
  const cell = isCell(kind);
  const H = shape.hiddenSize;
  const GH = gateCount(kind) * H;
  const Hout = outSize(shape);
  const D = numDirections(shape);
  const list: ExpectedParameter[] = [];
  const add = (kind: ParamKind, layer: number, reverse: boolean, dims: readonly number[], meaning: string): void => {
    const l = cell ? null : layer;
    list.push({ name: paramName(kind, l, reverse), kind, layer: l, reverse, shape: dims, meaning });
  };
  for (let layer = 0; layer < shape.numLayers; layer++) {
    for (let dir = 0; dir < D; dir++) {
      const reverse = dir === 1;
      if (layer === 0) add('weight_ih', layer, reverse, [GH, shape.inputSize], 'gate_size, input_size');
      else add('weight_ih', layer, reverse, [GH, D * Hout], 'gate_size, D·H_out');
      add('weight_hh', layer, reverse, [GH, Hout], 'gate_size, H_out');
      if (shape.bias) {
        add('bias_ih', layer, reverse, [GH], 'gate_size');
        add('bias_hh', layer, reverse, [GH], 'gate_size');
      }
      if (shape.projSize > 0) add('weight_hr', layer, reverse, [shape.projSize, H], 'proj_size, hidden_size');
    }
  }
  return list;
}

// ---- the layers around a recurrent module -----------------------------------------------------
// nn.Embedding, nn.Linear and nn.LayerNorm register `weight` then `bias` (torch/nn/modules/
// sparse.py, linear.py, normalization.py); their shapes are the configuration a state_dict fixes.

/** The layers rnnport runs around a recurrent module, PyTorch's class names. */
export type LayerKind = 'Embedding' | 'Linear' | 'LayerNorm';

/** Every layer kind. */
export const LAYER_KINDS: readonly LayerKind[] = ['Embedding', 'Linear', 'LayerNorm'];

/** nn.Embedding's sizes: weight (num_embeddings, embedding_dim). */
export interface EmbeddingConfig {
  /** `num_embeddings`: rows of the table (the vocabulary). */
  readonly numEmbeddings: number;
  /** `embedding_dim`: features per row. */
  readonly embeddingDim: number;
}

/** nn.Linear's sizes: weight (out_features, in_features), bias (out_features). */
export interface LinearConfig {
  /** `in_features` */
  readonly inFeatures: number;
  /** `out_features` */
  readonly outFeatures: number;
  /** `bias`: whether the bias exists */
  readonly bias: boolean;
}

/** nn.LayerNorm's parameters: weight and bias of shape normalized_shape. */
export interface LayerNormConfig {
  /** `normalized_shape`: the trailing dims normalised over (an int n is `[n]`). */
  readonly normalizedShape: readonly number[];
  /** `elementwise_affine`: whether weight (and bias) exist */
  readonly elementwiseAffine: boolean;
  /** `bias` (PyTorch ≥ 2.1): whether the bias exists; false without elementwise_affine */
  readonly bias: boolean;
}

/** The configuration of each layer kind. */
export interface LayerConfigByKind {
  Embedding: EmbeddingConfig;
  Linear: LinearConfig;
  LayerNorm: LayerNormConfig;
}

/** A layer's parameter: `weight` or `bias`, its shape and what the dims mean. */
export interface LayerParameter {
  readonly name: 'weight' | 'bias';
  readonly shape: readonly number[];
  /** The dims in PyTorch's words, e.g. `out_features, in_features`. */
  readonly meaning: string;
}

/** The parameters of a layer, in PyTorch's registration order (weight, then bias), with their shapes. */
export function layerParameters<K extends LayerKind>(kind: K, config: LayerConfigByKind[K]): LayerParameter[] {
  if (kind === 'Embedding') {
    const c = config as EmbeddingConfig;
    return [{ name: 'weight', shape: [c.numEmbeddings, c.embeddingDim], meaning: 'num_embeddings, embedding_dim' }];
  }
  if (kind === 'Linear') {
    const c = config as LinearConfig;
    const weight: LayerParameter = { name: 'weight', shape: [c.outFeatures, c.inFeatures], meaning: 'out_features, in_features' };
    return c.bias ? [weight, { name: 'bias', shape: [c.outFeatures], meaning: 'out_features' }] : [weight];
  }
  const c = config as LayerNormConfig;
  if (!c.elementwiseAffine) return [];
  const weight: LayerParameter = { name: 'weight', shape: c.normalizedShape, meaning: 'normalized_shape' };
  return c.bias ? [weight, { name: 'bias', shape: c.normalizedShape, meaning: 'normalized_shape' }] : [weight];
}

/** Module hyper-parameters as PyTorch's constructor call; defaults left out, as a user writes it. */
export interface ConstructorArgs {
  readonly kind: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers?: number;
  readonly bias?: boolean;
  readonly bidirectional?: boolean;
  readonly projSize?: number;
  readonly batchFirst?: boolean;
}

/** `nn.LSTM(128, 256, num_layers=2, bidirectional=True, proj_size=64)` */
export function formatConstructor(args: ConstructorArgs): string {
  const parts = [String(args.inputSize), String(args.hiddenSize)];
  if ((args.numLayers ?? 1) !== 1) parts.push(`num_layers=${args.numLayers}`);
  if (args.bias === false) parts.push('bias=False');
  if (args.batchFirst === true) parts.push('batch_first=True');
  if (args.bidirectional === true) parts.push('bidirectional=True');
  if ((args.projSize ?? 0) > 0) parts.push(`proj_size=${args.projSize}`);
  return `nn.${args.kind}(${parts.join(', ')})`;
}
