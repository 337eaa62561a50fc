/**
 * The reference engine: plain loops that read like PyTorch's equations (cell.ts → layer.ts →
 * stack.ts). It is the oracle every faster path is tested against.
 */
import type { StackConfig } from '../config.js';
import { fail } from '../errors.js';
import { runLayers } from './stack.js';
import { RunStream } from './stream.js';
import type { Engine, PreparedStack, StackInput, StackOutput, StackWeights } from './types.js';

/** The reference `Engine`: `prepare` keeps the weights as given. */
export const referenceEngine: Engine = {
  name: 'reference',
  simd: 'none',
  prepare(config: StackConfig, weights: StackWeights): PreparedStack {
    let disposed = false;
    const run = (input: StackInput): StackOutput => {
      if (disposed) throw fail('E_DISPOSED', { what: 'reference engine', expected: 'a live prepared stack', got: 'a disposed one' });
      return runLayers(config, weights, input);
    };
    return {
      engine: referenceEngine,
      run,
      openStream: (batch) => new RunStream(run, config, weights.dtype, batch),
      dispose(): void {
        disposed = true;
      },
    };
  },
};
