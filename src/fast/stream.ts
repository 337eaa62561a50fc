/**
 * Streaming: a unidirectional stack fed one time step at a time, carrying its state between calls,
 * for real-time use (audio, sensors, token by token). `openStackStream` gives the allocation-free
 * WASM stream for a fast stack and, for any other prepared stack (the reference engine), a stream
 * that runs one-step forward passes (same results, allocating per step).
 *
 * Stepping T times equals one forward pass over the T steps: each step runs the same kernels on the
 * same rows, and every output element sums its products in the same order.
 */
import type { FloatDType } from '../dtype.js';
import type { FloatArray, PreparedStack, StackConfig } from '../engine/types.js';
import { fail } from '../errors.js';
import { allocStep, FastStack, getRows, putRows, step, type StepBuffers } from './stack.js';
import { openWorkspace, type Kernels, type Workspace } from './wasm.js';

/** One stream over a stack with `batch` rows. Arrays are row-major; states as forward's h_0 / c_0. */
export interface StackStream {
  readonly batch: number;
  /** Runs one step: x (batch, I) → the step's output (batch, H_out), a view valid until the next call. */
  step(x: FloatArray): FloatArray;
  /** h (L, batch, H_out) and, for LSTM, c (L, batch, H): copies of the current state. */
  getState(): { h: FloatArray; c: FloatArray | null };
  /** Replaces the state (shapes as getState's; c ignored unless LSTM). */
  setState(h: FloatArray, c: FloatArray | null): void;
  /** Zero state, as a fresh stream. */
  reset(): void;
  dispose(): void;
}

/** A stream over a prepared unidirectional stack. */
export function openStackStream(prepared: PreparedStack, config: StackConfig, dtype: FloatDType, batch: number): StackStream {
  return prepared instanceof FastStack ? new FastStream(prepared, batch) : new RunStream(prepared, config, dtype, batch);
}

const disposedError = (): Error => fail('E_DISPOSED', { what: 'stream', expected: 'a live stream', got: 'a disposed one' });

/**
 * The WASM stream: its own workspace holding a copy of the packed weights (same byte offsets),
 * per-layer state and scratch; layer l > 0 reads layer l − 1's state h as its input.
 */
class FastStream implements StackStream {
  readonly batch: number;
  private ws: Workspace | null;
  private readonly stack: FastStack;
  private readonly kernels: Kernels;
  private readonly x: number;
  private readonly gi: number;
  private readonly out: number;
  private readonly states: StepBuffers[];
  private readonly output: FloatArray;

  constructor(stack: FastStack, batch: number) {
    this.stack = stack;
    this.batch = batch;
    const g = stack.geometry;
    const source = stack.workspace();
    const ws = openWorkspace(stack.build);
    const base = ws.mark();
    ws.alloc(stack.weightsEnd - base);
    new Uint8Array(ws.view(g.dtype).buffer).set(new Uint8Array(source.view(g.dtype).buffer, base, stack.weightsEnd - base), base);
    this.kernels = ws.kernels(g.dtype);
    this.x = ws.alloc(batch * stack.config.inputSize * g.bytes);
    this.gi = ws.alloc(Math.max(batch * g.Npad, g.Nvec) * g.bytes);
    this.out = ws.alloc(batch * g.Hout * g.bytes);
    this.states = stack.layers.map(() => allocStep(ws, g, batch));
    this.output = ws.view(g.dtype).subarray(this.out / g.bytes, this.out / g.bytes + batch * g.Hout);
    this.ws = ws;
  }

  private live(): Workspace {
    if (this.ws === null) throw disposedError();
    return this.ws;
  }

  step(x: FloatArray): FloatArray {
    const ws = this.live();
    const { geometry: g, layers, zeros } = this.stack;
    const B = this.batch;
    const k = this.kernels;
    ws.view(g.dtype).set(x, this.x / g.bytes);
    let input = this.x, ld = this.stack.config.inputSize;
    for (let l = 0; l < layers.length; l++) {
      const w = layers[l], s = this.states[l];
      if (B === 1) k.gemv(w.inSize, g.groups, input, w.wIhVec, w.bIh, this.gi);
      else k.gemm(B, w.inSize, g.panels, input, ld, w.wIh, w.bIh, this.gi, g.Npad);
      step(k, g, w, zeros, B, this.gi, s);
      input = s.h;
      ld = g.Hos;
    }
    k.copyRows(B, g.Hout, input, g.Hos, this.out, g.Hout);
    return this.output;
  }

  getState(): { h: FloatArray; c: FloatArray | null } {
    const view = this.live().view(this.stack.geometry.dtype);
    const { geometry: g, config } = this.stack;
    const B = this.batch;
    const alloc = g.dtype === 'float32' ? (n: number) => new Float32Array(n) : (n: number) => new Float64Array(n);
    const h = alloc(config.numLayers * B * g.Hout);
    const c = g.mode === 'LSTM' ? alloc(config.numLayers * B * g.H) : null;
    this.states.forEach((s, l) => {
      getRows(view, s.h, g.Hos, h, l * B * g.Hout, B, g.Hout);
      if (c !== null) getRows(view, s.c, g.Hs, c, l * B * g.H, B, g.H);
    });
    return { h, c };
  }

  setState(h: FloatArray, c: FloatArray | null): void {
    const view = this.live().view(this.stack.geometry.dtype);
    const g = this.stack.geometry;
    const B = this.batch;
    this.reset();
    this.states.forEach((s, l) => {
      putRows(view, s.h, g.Hos, h, l * B * g.Hout, B, g.Hout);
      if (c !== null && g.mode === 'LSTM') putRows(view, s.c, g.Hs, c, l * B * g.H, B, g.H);
    });
  }

  reset(): void {
    const g = this.stack.geometry;
    const view = this.live().view(g.dtype);
    for (const s of this.states) {
      view.fill(0, s.h / g.bytes, s.h / g.bytes + this.batch * g.Hos);
      view.fill(0, s.c / g.bytes, s.c / g.bytes + this.batch * g.Hs);
    }
  }

  dispose(): void {
    this.ws = null;
  }
}

/** The fallback stream: one-step forward passes of any prepared stack, state carried in arrays. */
class RunStream implements StackStream {
  readonly batch: number;
  private readonly prepared: PreparedStack;
  private readonly alloc: (n: number) => FloatArray;
  private readonly batchSizes: Int32Array;
  private readonly hSize: number;
  private readonly cSize: number;
  private h: FloatArray;
  private c: FloatArray | null;
  private disposed = false;

  constructor(prepared: PreparedStack, config: StackConfig, dtype: FloatDType, batch: number) {
    this.prepared = prepared;
    this.alloc = dtype === 'float64' ? (n) => new Float64Array(n) : (n) => new Float32Array(n);
    this.batch = batch;
    this.batchSizes = Int32Array.of(batch);
    this.hSize = config.numLayers * batch * (config.projSize > 0 ? config.projSize : config.hiddenSize);
    this.cSize = config.mode === 'LSTM' ? config.numLayers * batch * config.hiddenSize : 0;
    this.h = this.alloc(this.hSize);
    this.c = this.cSize > 0 ? this.alloc(this.cSize) : null;
  }

  private live(): void {
    if (this.disposed) throw disposedError();
  }

  step(x: FloatArray): FloatArray {
    this.live();
    const out = this.prepared.run({ x, batchSizes: this.batchSizes, h0: this.h, c0: this.c });
    this.h = out.hN;
    this.c = out.cN;
    return out.output;
  }

  getState(): { h: FloatArray; c: FloatArray | null } {
    this.live();
    return { h: this.h.slice(), c: this.c === null ? null : this.c.slice() };
  }

  setState(h: FloatArray, c: FloatArray | null): void {
    this.live();
    this.h = h.slice();
    if (this.cSize > 0) this.c = c === null ? this.alloc(this.cSize) : c.slice();
  }

  reset(): void {
    this.live();
    this.h = this.alloc(this.hSize);
    this.c = this.cSize > 0 ? this.alloc(this.cSize) : null;
  }

  dispose(): void {
    this.disposed = true;
  }
}
