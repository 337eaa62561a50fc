/**
 * `module.stream({ batch })`: a unidirectional RNN / GRU / LSTM fed one time step at a time,
 * carrying its state between calls, for real-time input (audio, sensors, token by token).
 * Stepping T times gives the same outputs and final state as one `forward` over the T steps.
 *
 * ```ts
 * using s = lstm.stream({ batch: 1 });
 * for (const frame of frames) {
 *   const y = s.step(frame);   // (batch, H_out); a view, valid until the next call
 *   s.step(frame, myBuffer);   // or written into your own buffer
 * }
 * ```
 * On the fast engine a step allocates nothing; the reference engine (and float64) allocate per step.
 */
import { outSize } from '../config.js';
import type { FloatArray, PreparedStack, StackStream } from '../engine/types.js';
import { badArgument, describeValue, fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkDType, checkState, type ForwardSpec } from './forward.js';

/** Options of `stream()`. */
export interface StreamOptions {
  /**
   * Sequences stepped side by side: each step's input is (batch, input_size).
   * @defaultValue 1
   */
  readonly batch?: number;
}

/** The state of a stream: h (L, batch, H_out), or [h, c] for an LSTM with c (L, batch, H). */
export type StreamState = Tensor | readonly [Tensor, Tensor];

// Note [Symbol.dispose]
// Objects that own WASM memory (modules, cells, streams) free it with `dispose()` or `using`.
// Node ≥ 20 and current browsers define Symbol.dispose; TypeScript declares it only in
// lib esnext.disposable, which the core's `lib: ["es2022", "dom"]` leaves out: declared here.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/**
 * A running stream over a module; owns WASM memory on the fast engine: `dispose()` frees it.
 * `S` is its state: h for nn.RNN / nn.GRU, [h, c] for nn.LSTM.
 */
export class RecurrentStream<S extends StreamState = StreamState> {
  /** Sequences per step. */
  readonly batch: number;
  readonly #spec: ForwardSpec;
  readonly #stream: StackStream;
  readonly #stepSize: number;
  readonly #outSize: number;

  /** Use `module.stream()`. */
  constructor(spec: ForwardSpec, prepared: PreparedStack, options: StreamOptions) {
    const batch = options.batch ?? 1;
    if (!Number.isSafeInteger(batch) || batch < 1) throw fail('E_BAD_OPTION', { what: 'stream batch', expected: 'an integer ≥ 1', got: String(batch) });
    if (spec.bidirectional) {
      throw fail('E_BAD_OPTION', { what: 'stream()', expected: 'a unidirectional module (a reverse direction needs the whole sequence)', got: 'bidirectional=true' });
    }
    this.batch = batch;
    this.#spec = spec;
    this.#stream = prepared.openStream(batch);
    this.#stepSize = batch * spec.inputSize;
    this.#outSize = batch * outSize(spec);
  }

  /**
   * Runs one time step. `x`: (batch, input_size) as a Tensor or a typed array of the module's
   * dtype. Returns the step's output (batch, H_out): a view of an internal buffer, valid until the
   * next call on this stream; with `out`, writes it there instead and returns `out`.
   */
  step(x: Tensor | FloatArray, out?: FloatArray): FloatArray {
    if (!(x instanceof Tensor) && !(x instanceof Float32Array) && !(x instanceof Float64Array)) {
      throw badArgument('stream.step(x)', `a Tensor or a ${this.#spec.dtype === 'float32' ? 'Float32Array' : 'Float64Array'}`, x);
    }
    const data = x instanceof Tensor ? checkDType('x', x, this.#spec.dtype) : x;
    if (!(x instanceof Tensor) && (this.#spec.dtype === 'float32') !== x instanceof Float32Array) {
      throw fail('E_INPUT_DTYPE', { what: 'x', expected: `a ${this.#spec.dtype} array`, got: describeValue(x) });
    }
    if (data.length !== this.#stepSize) {
      throw fail('E_INPUT_SIZE', { what: 'x', expected: `${this.#stepSize} values (batch ${this.batch} × input_size ${this.#spec.inputSize})`, got: `${data.length}` });
    }
    if (out !== undefined && !(out instanceof Float32Array || out instanceof Float64Array)) throw badArgument('stream.step(x, out)', 'a Float32Array or Float64Array for out', out);
    if (out !== undefined && out.length !== this.#outSize) {
      throw fail('E_BAD_OPTION', { what: 'out.length', expected: `${this.#outSize} (batch × H_out)`, got: String(out.length) });
    }
    const y = this.#stream.step(data);
    if (out === undefined) return y;
    out.set(y);
    return out;
  }

  /** The current state (copies): h (L, batch, H_out), or [h, c] for an LSTM. */
  get state(): S {
    const { numLayers: L, hiddenSize: H, dtype } = this.#spec;
    const { h, c } = this.#stream.getState();
    const hT = new Tensor(dtype, [L, this.batch, outSize(this.#spec)], h);
    return (c === null ? hT : [hT, new Tensor(dtype, [L, this.batch, H], c)]) as S;
  }

  /** Replaces the state: shapes and dtype as `state` returns them (E_HIDDEN_SHAPE, E_INPUT_DTYPE). */
  set state(value: S) {
    const { numLayers: L, hiddenSize: H, dtype, mode } = this.#spec;
    const lstm = mode === 'LSTM';
    const pair = Array.isArray(value);
    if (lstm !== pair || (pair && value.length !== 2)) {
      throw fail('E_HIDDEN_SHAPE', { what: 'stream state', expected: lstm ? 'an [h, c] pair' : 'a Tensor h', got: pair ? `an array of ${value.length}` : 'a single Tensor' });
    }
    const [h, c] = lstm ? (value as readonly [Tensor, Tensor]) : [value as Tensor, null];
    const hData = checkState('state h', h, [L, this.batch, outSize(this.#spec)], dtype);
    const cData = c === null ? null : checkState('state c', c, [L, this.batch, H], dtype);
    this.#stream.setState(hData, cData);
  }

  /** Back to the zero state, as a new stream. */
  reset(): void {
    this.#stream.reset();
  }

  /** Frees the stream's WASM memory; further calls throw E_DISPOSED. */
  dispose(): void {
    this.#stream.dispose();
  }

  /** See Note [Symbol.dispose]. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
