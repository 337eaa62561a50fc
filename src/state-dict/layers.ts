/**
 * Discovery of the layers around a recurrent module (nn.Embedding, nn.Linear, nn.LayerNorm) from
 * names and shapes only. The state_dict does not name a layer's class, and two of them register
 * the same parameter, so the rule reports every reading the shapes allow, most common first:
 *
 *   <p>weight (R, C) + <p>bias (R)          → nn.Linear(C, R)
 *   <p>weight (R, C) alone                  → nn.Embedding(R, C) | nn.Linear(C, R, bias=False)
 *   <p>weight (n) [+ <p>bias (n)]           → nn.LayerNorm(n) [bias=False without the bias]
 *   <p>weight S + <p>bias S, S ≥ 2-d        → nn.LayerNorm(S)   (a Linear's bias is 1-d)
 *
 * A prefix is considered only when `weight` and `bias` are its only direct parameters, so
 * BatchNorm (running_mean, running_var), weight-normed layers (weight_g, weight_v) and the
 * recurrent modules (weight_ih_l0, …) are not layers here. Not listed: a weight of rank ≥ 3
 * without a bias of its shape (a convolution's), a bias without a weight, integer weights.
 * Shapes cannot tell a LayerNorm from another norm with the same parameters (GroupNorm,
 * BatchNorm without running statistics, RMSNorm) nor find a LayerNorm without
 * elementwise_affine (it has no parameters), nor a bias-free LayerNorm over 2 dims (listed as
 * Embedding | Linear): the classes' `fromStateDict` builds any of them at a prefix given.
 * Recurrent modules are found by infer.ts; only they count when "the module" is chosen.
 */
import type { EmbeddingConfig, LayerNormConfig, LinearConfig } from '../config.js';
import { isFloatDType } from '../dtype.js';
import type { TensorInfo } from '../tensor.js';

/** One reading of a layer's parameters: a kind and its configuration. */
export type LayerCandidate =
  | { readonly kind: 'Embedding'; readonly config: EmbeddingConfig }
  | { readonly kind: 'Linear'; readonly config: LinearConfig }
  | { readonly kind: 'LayerNorm'; readonly config: LayerNormConfig };

/** A layer found in a state_dict. */
export interface LayerInfo {
  /** Module path with its trailing dot (`encoder.embedding.`), or '' at the root. */
  readonly prefix: string;
  /** Every kind its shapes allow, the most common reading first (two for a 2-d weight alone). */
  readonly candidates: readonly LayerCandidate[];
  /** Its parameter keys, full (prefix included), weight first. */
  readonly parameters: readonly string[];
}

/** What `rnnport inspect` prints for a layer: the kinds, the prefix and PyTorch's constructors. */
export interface LayerRow {
  /** `Linear`, `LayerNorm`, or `Embedding | Linear` when the shapes allow both. */
  readonly kind: string;
  /** Module path with its trailing dot, or '' at the root. */
  readonly prefix: string;
  /** The constructor a user would write, e.g. `nn.Linear(64, 5)`; readings joined by ` | `. */
  readonly pytorch: string;
}

/** PyTorch's constructor of a layer: `nn.Embedding(50, 16)`, `nn.Linear(16, 5, bias=False)`, `nn.LayerNorm((4, 6))`. */
export function formatLayer(c: LayerCandidate): string {
  switch (c.kind) {
    case 'Embedding':
      return `nn.Embedding(${c.config.numEmbeddings}, ${c.config.embeddingDim})`;
    case 'Linear':
      return `nn.Linear(${c.config.inFeatures}, ${c.config.outFeatures}${c.config.bias ? '' : ', bias=False'})`;
    case 'LayerNorm': {
      const s = c.config.normalizedShape;
      const shape = s.length === 1 ? String(s[0]) : `(${s.join(', ')})`;
      const flags = c.config.elementwiseAffine ? (c.config.bias ? '' : ', bias=False') : ', elementwise_affine=False';
      return `nn.LayerNorm(${shape}${flags})`;
    }
  }
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The readings of one prefix's weight (and bias) shapes; empty when no layer has them. */
function readLayer(weight: readonly number[], bias: readonly number[] | undefined): LayerCandidate[] {
  if (weight.length === 2 && (bias === undefined || bias.length === 1)) {
    const [rows, cols] = weight as [number, number];
    if (bias === undefined) {
      return [
        { kind: 'Embedding', config: { numEmbeddings: rows, embeddingDim: cols } },
        { kind: 'Linear', config: { inFeatures: cols, outFeatures: rows, bias: false } },
      ];
    }
    return bias[0] === rows ? [{ kind: 'Linear', config: { inFeatures: cols, outFeatures: rows, bias: true } }] : [];
  }
  const norm = (b: boolean): LayerCandidate[] => [{ kind: 'LayerNorm', config: { normalizedShape: [...weight], elementwiseAffine: true, bias: b } }];
  if (bias === undefined) return weight.length === 1 ? norm(false) : [];
  return weight.length >= 1 && same(weight, bias) ? norm(true) : [];
}

/**
 * Every Embedding, Linear and LayerNorm a state_dict may hold, from shapes alone (see the rule
 * above), in order of first appearance.
 */
export function listLayers(infos: ReadonlyMap<string, TensorInfo>): LayerInfo[] {
  const leaves = new Map<string, Set<string>>();
  for (const key of infos.keys()) {
    const dot = key.lastIndexOf('.');
    const prefix = key.slice(0, dot + 1);
    let set = leaves.get(prefix);
    if (set === undefined) leaves.set(prefix, (set = new Set()));
    set.add(key.slice(dot + 1));
  }
  const found: LayerInfo[] = [];
  for (const [prefix, names] of leaves) {
    const weight = infos.get(`${prefix}weight`);
    if (weight === undefined || !isFloatDType(weight.dtype) || [...names].some((n) => n !== 'weight' && n !== 'bias')) continue;
    const bias = infos.get(`${prefix}bias`);
    if (bias !== undefined && !isFloatDType(bias.dtype)) continue;
    const candidates = readLayer(weight.shape, bias?.shape);
    if (candidates.length > 0) found.push({ prefix, candidates, parameters: bias === undefined ? [`${prefix}weight`] : [`${prefix}weight`, `${prefix}bias`] });
  }
  return found;
}

/** The rows `rnnport inspect` prints for the layers, beside the recurrent modules. */
export function layerRows(infos: ReadonlyMap<string, TensorInfo>): LayerRow[] {
  return listLayers(infos).map((l) => ({
    kind: l.candidates.map((c) => c.kind).join(' | '),
    prefix: l.prefix,
    pytorch: l.candidates.map(formatLayer).join(' | '),
  }));
}
