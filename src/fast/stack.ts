/**
 * The fast engine's forward pass over a whole stack, structured as optimised CPU RNNs are (and as
 * ATen's CPU path orders the arithmetic): per layer and direction, one blocked GEMM for the input
 * projection gi = W_ih x + b_ih of a chunk of time steps (≤ 1024 rows, which bounds the buffer),
 * then per step the recurrent GEMM gh = W_hh h + b_hh into a (B, G·H) scratch that stays in cache,
 * and one kernel for the gate nonlinearities and state update over gi + gh; with batch 1 one call
 * (`seq1`) runs all steps of a chunk. Nothing is allocated inside the time loop. float32 and float64 (each dtype has its kernels).
 * Semantics as src/engine/stack.ts and layer.ts
 * (See Note [reverse direction with packed input] in src/engine/layer.ts).
 */
import type { StackConfig } from '../config.js';
import type { EngineId, PreparedStack, StackInput, StackOutput, StackStream, StackWeights } from '../engine/types.js';
import { fail } from '../errors.js';
import { geometry, packStack, type Geometry, type PackedLayer } from './pack.js';
import { allocStep, getRows, putRows, step, type StepBuffers } from './step.js';
import { FastStream } from './stream.js';
import { openWorkspace, type Kernels, type SimdBuild, type Workspace } from './wasm.js';

/** Rows of gi computed per GEMM call: bounds its buffer (a time chunk) and keeps the GEMM long. */
const CHUNK_ROWS = 1024;

/** `seq1`'s mode argument. */
const SEQ_MODE: Record<Geometry['mode'], number> = { LSTM: 0, GRU: 1, RNN_TANH: 2, RNN_RELU: 3 };

/** A stack prepared for the kernels: weights packed once into its own WASM memory. */
export class FastStack implements PreparedStack {
  readonly engine: EngineId;
  readonly build: SimdBuild;
  readonly config: StackConfig;
  readonly geometry: Geometry;
  private ws: Workspace | null;
  /** The kernels of the stack's dtype. */
  readonly kernels: Kernels;
  /** Packed weights, `layers[layer·D + direction]`. */
  readonly layers: readonly PackedLayer[];
  /** A zero bias for the projection GEMM. */
  readonly zeros: number;
  /** Everything below this mark is weights; runs allocate above it. */
  readonly weightsEnd: number;

  constructor(engine: EngineId, build: SimdBuild, config: StackConfig, weights: StackWeights) {
    this.engine = engine;
    this.build = build;
    this.config = config;
    this.geometry = geometry(config, weights.dtype);
    this.ws = openWorkspace(build);
    this.kernels = this.ws.kernels(weights.dtype);
    this.layers = packStack(this.ws, config, weights, this.geometry);
    this.zeros = this.ws.alloc(this.geometry.projPanels * 32);
    this.weightsEnd = this.ws.mark();
  }

  /** The live workspace; E_DISPOSED after dispose(). */
  workspace(): Workspace {
    if (this.ws === null) throw fail('E_DISPOSED', { what: 'fast engine', expected: 'a live prepared stack', got: 'a disposed one' });
    return this.ws;
  }

  run(input: StackInput): StackOutput {
    const ws = this.workspace();
    const g = this.geometry;
    const { numLayers: L, mode } = this.config;
    const { D, Hout, H, Hos, Hs, Npad, bytes, dtype } = g;
    const { batchSizes } = input;
    const T = batchSizes.length;
    const B = batchSizes[0];
    const offsets = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) offsets[t + 1] = offsets[t] + batchSizes[t];
    const N = offsets[T];
    const alloc = dtype === 'float32' ? (n: number) => new Float32Array(n) : (n: number) => new Float64Array(n);
    const hN = alloc(L * D * B * Hout);
    const cN = mode === 'LSTM' ? alloc(L * D * B * H) : null;
    if (N === 0) return { output: alloc(0), hN, cN };

    ws.release(this.weightsEnd);
    const chunkRows = Math.max(B, Math.min(N, CHUNK_ROWS));
    const width = D * Hout;
    let x = ws.alloc(N * this.config.inputSize * bytes);
    const outs = [ws.alloc(N * width * bytes), L > 1 ? ws.alloc(N * width * bytes) : 0];
    const gi = ws.alloc(chunkRows * Npad * bytes);
    const s = allocStep(ws, g, B);
    ws.view(dtype).set(input.x, x / bytes);

    for (let layer = 0; layer < L; layer++) {
      const out = outs[layer & 1];
      for (let dir = 0; dir < D; dir++) {
        const k = layer * D + dir;
        const view = ws.view(dtype);
        view.fill(0, s.h / bytes, s.h / bytes + B * Hos);
        view.fill(0, s.c / bytes, s.c / bytes + B * Hs);
        if (input.h0 !== null) putRows(view, s.h, Hos, input.h0, k * B * Hout, B, Hout);
        if (input.c0 !== null) putRows(view, s.c, Hs, input.c0, k * B * H, B, H);
        this.scan(this.layers[k], x, batchSizes, offsets, dir, chunkRows, gi, s, out + dir * Hout * bytes, width);
        getRows(view, s.h, Hos, hN, k * B * Hout, B, Hout);
        if (cN !== null) getRows(view, s.c, Hs, cN, k * B * H, B, H);
      }
      x = out;
    }
    return { output: ws.view(dtype).slice(x / bytes, x / bytes + N * width), hN, cN };
  }

  /** One direction over all steps: gi for a chunk of steps, then the steps of that chunk. */
  private scan(
    w: PackedLayer, x: number, batchSizes: Int32Array, offsets: Int32Array,
    dir: number, chunkRows: number, gi: number, s: StepBuffers, out: number, width: number,
  ): void {
    const k = this.kernels;
    const g = this.geometry;
    const T = batchSizes.length;
    const rowBytes = w.inSize * g.bytes;
    // the batch-1 kernel `seq1` runs every mode but LSTM with a projection
    const seqMode = g.projPanels > 0 ? -1 : SEQ_MODE[g.mode];
    let t0 = dir === 0 ? 0 : T;
    while (dir === 0 ? t0 < T : t0 > 0) {
      // the chunk is steps [lo, hi): as many as fit in chunkRows rows, at least one
      let lo: number, hi: number;
      if (dir === 0) {
        lo = t0;
        hi = t0 + 1;
        while (hi < T && offsets[hi + 1] - offsets[lo] <= chunkRows) hi++;
        t0 = hi;
      } else {
        hi = t0;
        lo = t0 - 1;
        while (lo > 0 && offsets[hi] - offsets[lo - 1] <= chunkRows) lo--;
        t0 = lo;
      }
      const r0 = offsets[lo];
      k.gemm(offsets[hi] - r0, w.inSize, g.panels, x + r0 * rowBytes, w.inSize, w.wIh, w.bIh, gi, g.Npad);
      if (seqMode >= 0 && batchSizes[lo] === 1 && batchSizes[hi - 1] === 1) {
        // batch 1 (batch sizes never grow along t): the whole chunk in one call
        k.seq1(seqMode, hi - lo, dir, g.H, g.Hs, g.Hout, g.groups, gi, g.Npad, w.wHhVec, w.bHh, s.h, s.c, s.gh, out + lo * width * g.bytes, width);
        continue;
      }
      for (let i = 0; i < hi - lo; i++) {
        const t = dir === 0 ? lo + i : hi - 1 - i;
        const M = batchSizes[t];
        if (M === 0) continue;
        step(k, g, w, this.zeros, M, gi + (offsets[t] - r0) * g.Npad * g.bytes, s);
        k.copyRows(M, g.Hout, s.h, g.Hos, out + offsets[t] * width * g.bytes, width);
      }
    }
  }

  /** A WASM stream with its own workspace (a copy of the packed weights); allocates nothing per step. */
  openStream(batch: number): StackStream {
    return new FastStream(this, batch);
  }

  dispose(): void {
    this.ws = null;
  }
}
