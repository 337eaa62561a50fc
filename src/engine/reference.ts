/**
 * The reference engine: plain loops that read like PyTorch's equations (cell.ts → layer.ts →
 * stack.ts). It is the oracle every faster path is tested against, and their fallback.
 */
import { fail } from '../errors.js';
import { runStack } from './stack.js';
import type { PreparedStack, StackEngine, StackInput, StackOutput } from './types.js';

/** `StackEngine` over the reference loops; `prepare` keeps the weights as given. */
export const referenceEngine: StackEngine = {
  name: 'reference',
  prepare(config, weights): PreparedStack {
    let disposed = false;
    return {
      engine: 'reference',
      run(input: StackInput): StackOutput {
        if (disposed) throw fail('E_DISPOSED', { what: 'reference engine', expected: 'a live prepared stack', got: 'a disposed one' });
        return runStack(config, weights, input);
      },
      dispose(): void {
        disposed = true;
      },
    };
  },
};
