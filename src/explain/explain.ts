/**
 * `explain(config)`: what output and h_n (and c_n) contain for a configuration — shapes, where
 * each h_n row is taken, which slices are equal — with every equality checked by actually
 * running the configuration on random weights through the public modules, the way a user
 * would: pack_padded_sequence(enforce_sorted=False) → module → pad_packed_sequence when there
 * are lengths. A fact the run contradicts is reported, never hidden (`check.holds[i] === false`).
 */
import { referenceEngine } from '../engine/reference.js';
import { runModule } from '../modules/run.js';
import { prepareModule } from '../modules/prepare.js';
import { initialStateDict, mulberry32, uniformTensor } from '../random.js';
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

/**
 * Weights as PyTorch initialises them and input U(−1, 1), run on the reference engine through the
 * modules' own forward (prepareModule is what the module classes build on; the classes would also
 * bring the WebAssembly engine into a page that imports only explain).
 */
function runOnRandomWeights(c: ResolvedConfig, seed: number): FactTensors {
  const next = mulberry32(seed);
  const weights = initialStateDict(c.mode, c, next);
  const { inputSize, hiddenSize, numLayers, bidirectional, projSize, batchFirst } = c;
  const options = { inputSize, hiddenSize, numLayers, bidirectional, batchFirst, ...(projSize > 0 && { projSize }) };
  const module = prepareModule(c.mode, options, weights, () => referenceEngine);
  const input = uniformTensor(next, c.batchFirst ? [c.batch, c.seqLen, c.inputSize] : [c.seqLen, c.batch, c.inputSize], 1);
  const lengths = c.lengths === null ? undefined : Int32Array.from(c.lengths);
  try {
    const r = runModule(module, { input, lengths });
    return { output: r.output, h_n: r.hN, c_n: r.cN ?? null };
  } finally {
    module.prepared.dispose();
  }
}
