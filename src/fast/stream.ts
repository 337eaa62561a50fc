/**
 * The fast engine's stream (`FastStack.openStream`): a unidirectional stack fed one time step at a
 * time, carrying its state between calls, allocating nothing per step.
 *
 * Stepping T times equals one forward pass over the T steps: each step runs the same kernels on the
 * same rows, and every output element sums its products in the same order.
 */
import { disposedStream } from '../engine/stream.js';
import type { FloatArray, StackStream } from '../engine/types.js';
import type { FastStack } from './stack.js';
import { allocStep, getRows, putRows, step, type StepBuffers } from './step.js';
import { openWorkspace, type Kernels, type Workspace } from './wasm.js';

/**
 * The WASM stream: its own workspace holding a copy of the packed weights (same byte offsets),
 * per-layer state and scratch; layer l > 0 reads layer l − 1's state h as its input.
 */
export class FastStream implements StackStream {
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
    if (this.ws === null) throw disposedStream();
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
