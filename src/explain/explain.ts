/**
 * `explain(config)`: what output and h_n (and c_n) contain for a configuration — shapes, where
 * each h_n row is taken, which slices are equal — with every equality checked by actually
 * running the configuration on random weights through the public modules, the way a user
 * would: pack_padded_sequence(enforce_sorted=False) → module → pad_packed_sequence when there
 * are lengths. A fact the run contradicts is reported, never hidden (`check.holds[i] === false`).
 */
import { GRU, LSTM, packPaddedSequence, padPackedSequence, RNN, type PackedSequence, type RNNResult } from '../modules/index.js';
import { paramName } from '../state-dict/names.js';
import { Tensor } from '../tensor.js';
import { explainFacts, type ExplainConfig, type ExplainFacts, type ResolvedConfig } from './facts.js';
import { factHolds, type FactTensors } from './slice.js';

/** How the facts were checked, and the outcome of each (same order as `equalities`). */
export interface ExplainCheck {
  readonly engine: 'reference';
  readonly seed: number;
  readonly holds: readonly boolean[];
}

/** Facts about a configuration and their check on a real run. */
export interface Explanation extends ExplainFacts {
  readonly check: ExplainCheck;
}

/** Options of `explain`. */
export interface ExplainOptions {
  /** Seed of the random weights and input. @defaultValue 1 */
  readonly seed?: number;
}

/**
 * Explains what a recurrent module returns for this configuration, checked on random weights.
 * @see torch.nn.LSTM (Outputs: output, (h_n, c_n))
 * @example explain({ mode: 'GRU', hiddenSize: 4, numLayers: 2, bidirectional: true, lengths: [5, 3, 2] })
 */
export function explain(config: ExplainConfig, options: ExplainOptions = {}): Explanation {
  const facts = explainFacts(config);
  const seed = options.seed ?? 1;
  const tensors = runOnRandomWeights(facts.config, seed);
  return { ...facts, check: { engine: 'reference', seed, holds: facts.equalities.map((f) => factHolds(f, tensors)) } };
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Weights as PyTorch initialises them, U(−1/√H, 1/√H); input U(−1, 1). */
function runOnRandomWeights(c: ResolvedConfig, seed: number): FactTensors {
  const next = mulberry32(seed);
  const uniform = (shape: readonly number[], k: number): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (2 * next() - 1) * k;
    return new Tensor('float32', shape, data);
  };
  const G = c.mode === 'LSTM' ? 4 : c.mode === 'GRU' ? 3 : 1;
  const H = c.hiddenSize;
  const k = 1 / Math.sqrt(H);
  const weights = new Map<string, Tensor>();
  for (let layer = 0; layer < c.numLayers; layer++) {
    for (let d = 0; d < c.directions; d++) {
      const name = (kind: Parameters<typeof paramName>[0]): string => paramName(kind, layer, d === 1);
      weights.set(name('weight_ih'), uniform([G * H, layer === 0 ? c.inputSize : c.directions * c.hOut], k));
      weights.set(name('weight_hh'), uniform([G * H, c.hOut], k));
      weights.set(name('bias_ih'), uniform([G * H], k));
      weights.set(name('bias_hh'), uniform([G * H], k));
      if (c.projSize > 0) weights.set(name('weight_hr'), uniform([c.projSize, H], k));
    }
  }
  const options = { inputSize: c.inputSize, hiddenSize: H, numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, engine: 'reference' } as const;
  const module = c.mode === 'LSTM' ? new LSTM({ ...options, projSize: c.projSize }, weights) : c.mode === 'GRU' ? new GRU(options, weights) : new RNN(options, weights);
  const input = uniform(c.batchFirst ? [c.batch, c.seqLen, c.inputSize] : [c.seqLen, c.batch, c.inputSize], 1);
  try {
    return forwardAsUser(module, input, c);
  } finally {
    module.dispose();
  }
}

/** What RNN, GRU and LSTM share: forward on a padded batch or a PackedSequence, state omitted. */
interface Forward {
  forward(input: Tensor): RNNResult;
  forward(input: PackedSequence): RNNResult<PackedSequence>;
}

function forwardAsUser(module: Forward, input: Tensor, c: ResolvedConfig): FactTensors {
  const cN = (r: RNNResult<Tensor | PackedSequence>): Tensor | null => ('cN' in r ? (r.cN as Tensor) : null);
  if (c.lengths === null) {
    const r = module.forward(input);
    return { output: r.output, h_n: r.hN, c_n: cN(r) };
  }
  const lengths = new Tensor('int64', [c.batch], BigInt64Array.from(c.lengths, (n) => BigInt(n)));
  const r = module.forward(packPaddedSequence(input, lengths, { batchFirst: c.batchFirst, enforceSorted: false }));
  const [output] = padPackedSequence(r.output, { batchFirst: c.batchFirst, totalLength: c.seqLen });
  return { output, h_n: r.hN, c_n: cN(r) };
}
