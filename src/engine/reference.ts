/**
 * The reference engine: plain loops that read like PyTorch's equations (cell.ts → layer.ts →
 * stack.ts). It is the oracle every faster path is tested against.
 */
import type { StackConfig } from '../config.js';
import { fail } from '../errors.js';
import { allocFloat, linear } from './linear.js';
import { runLayers } from './stack.js';
import { RunStream } from './stream.js';
import type { Engine, LinearWeights, PreparedLinear, PreparedStack, StackInput, StackOutput, StackWeights } from './types.js';

const disposedError = (what: string): Error => fail('E_DISPOSED', { what: 'reference engine', expected: `a live prepared ${what}`, got: 'a disposed one' });

/** The reference `Engine`: `prepare` keeps the weights as given. */
export const referenceEngine: Engine = {
  name: 'reference',
  simd: 'none',
  prepare(config: StackConfig, weights: StackWeights): PreparedStack {
    let disposed = false;
    const run = (input: StackInput): StackOutput => {
      if (disposed) throw disposedError('stack');
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
  prepareLinear(w: LinearWeights): PreparedLinear {
    let disposed = false;
    return {
      engine: referenceEngine,
      run(x, rows) {
        if (disposed) throw disposedError('linear map');
        const y = allocFloat(w.dtype, rows * w.outFeatures);
        linear(x, rows, w.inFeatures, w.weight, w.bias, w.outFeatures, y);
        return y;
      },
      dispose(): void {
        disposed = true;
      },
    };
  },
};
