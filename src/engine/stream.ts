/**
 * The reference engine's stream: each step is a one-step forward pass of the prepared stack, with
 * the state carried between calls in plain arrays. Stepping T times equals one forward over the T
 * steps: the same cells run on the same rows (allocates per step; the fast engine's stream does not).
 */
import { outSize, type StackConfig } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { fail } from '../errors.js';
import { allocFloat } from './linear.js';
import type { FloatArray, StackInput, StackOutput, StackStream } from './types.js';

/** E_DISPOSED for a stream used after dispose(). */
export const disposedStream = (): Error => fail('E_DISPOSED', { what: 'stream', expected: 'a live stream', got: 'a disposed one' });

/** A stream of one-step runs of `run` (a prepared stack's forward pass). */
export class RunStream implements StackStream {
  readonly batch: number;
  readonly #run: (input: StackInput) => StackOutput;
  readonly #dtype: FloatDType;
  readonly #batchSizes: Int32Array;
  readonly #hSize: number;
  readonly #cSize: number;
  #h: FloatArray;
  #c: FloatArray | null;
  #disposed = false;

  constructor(run: (input: StackInput) => StackOutput, config: StackConfig, dtype: FloatDType, batch: number) {
    this.#run = run;
    this.#dtype = dtype;
    this.batch = batch;
    this.#batchSizes = Int32Array.of(batch);
    this.#hSize = config.numLayers * batch * outSize(config);
    this.#cSize = config.mode === 'LSTM' ? config.numLayers * batch * config.hiddenSize : 0;
    this.#h = allocFloat(dtype, this.#hSize);
    this.#c = this.#cSize > 0 ? allocFloat(dtype, this.#cSize) : null;
  }

  #live(): void {
    if (this.#disposed) throw disposedStream();
  }

  step(x: FloatArray): FloatArray {
    this.#live();
    const out = this.#run({ x, batchSizes: this.#batchSizes, h0: this.#h, c0: this.#c });
    this.#h = out.hN;
    this.#c = out.cN;
    return out.output;
  }

  getState(): { h: FloatArray; c: FloatArray | null } {
    this.#live();
    return { h: this.#h.slice(), c: this.#c === null ? null : this.#c.slice() };
  }

  setState(h: FloatArray, c: FloatArray | null): void {
    this.#live();
    this.#h = h.slice();
    if (this.#cSize > 0) this.#c = c === null ? allocFloat(this.#dtype, this.#cSize) : c.slice();
  }

  reset(): void {
    this.#live();
    this.#h = allocFloat(this.#dtype, this.#hSize);
    this.#c = this.#cSize > 0 ? allocFloat(this.#dtype, this.#cSize) : null;
  }

  dispose(): void {
    this.#disposed = true;
  }
}
