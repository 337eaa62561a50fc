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
import { fail } from '../errors.js';
import type { FloatArray, PreparedStack, StackConfig, StackInput, StackOutput, StackWeights } from '../engine/types.js';
import { geometry, packStack, type Geometry, type PackedLayer } from './pack.js';
import { openWorkspace, type Kernels, type SimdBuild, type Workspace } from './wasm.js';

/** Rows of gi computed per GEMM call: bounds its buffer (a time chunk) and keeps the GEMM long. */
const CHUNK_ROWS = 1024;

/** `seq1`'s mode argument. */
const SEQ_MODE: Record<Geometry['mode'], number> = { LSTM: 0, GRU: 1, RNN_TANH: 2, RNN_RELU: 3 };

/** Byte offsets of the per-step buffers of one direction: state and scratch for B rows. */
export interface StepBuffers {
  /** (B, Hos) hidden state h, updated in place. */
  readonly h: number;
  /** (B, Hs) cell state c (LSTM), updated in place. */
  readonly c: number;
  /** (B, Hs) o ⊙ tanh(c') before the projection (LSTM with proj_size). */
  readonly y: number;
  /** (B, Npad) gh = W_hh h + b_hh (row 0 has room for Nvec columns, which `gemv` writes). */
  readonly gh: number;
}

/** Allocates step buffers for `B` rows. */
export function allocStep(ws: Workspace, g: Geometry, B: number): StepBuffers {
  return {
    h: ws.alloc(B * g.Hos * g.bytes),
    c: ws.alloc(B * g.Hs * g.bytes),
    y: ws.alloc(B * g.Hs * g.bytes),
    gh: ws.alloc(Math.max(B * g.Npad, g.Nvec) * g.bytes),
  };
}

/**
 * One time step for the first M rows: gi (M rows of stride Npad) is this step's input projection.
 * `zeros` is a zero bias for the projection.
 */
export function step(k: Kernels, g: Geometry, w: PackedLayer, zeros: number, M: number, gi: number, s: StepBuffers): void {
  const { H, Hs, Hout, Hos, Npad } = g;
  if (M === 1) k.gemvh(Hout, g.groups, s.h, w.wHhVec, w.bHh, s.gh);
  else k.gemm(M, Hout, g.panels, s.h, Hos, w.wHh, w.bHh, s.gh, Npad);
  switch (g.mode) {
    case 'LSTM':
      if (g.projPanels === 0) {
        k.lstmCell(M, H, Hs, gi, Npad, s.gh, Npad, s.c, Hs, s.h, Hos);
      } else {
        k.lstmCell(M, H, Hs, gi, Npad, s.gh, Npad, s.c, Hs, s.y, Hs);
        // h' = W_hr (o ⊙ tanh(c')), no bias (torch/nn/modules/rnn.py, class LSTM, proj_size)
        k.gemm(M, H, g.projPanels, s.y, Hs, w.wHr, zeros, s.h, Hos);
      }
      break;
    case 'GRU':
      k.gruCell(M, H, Hs, gi, Npad, s.gh, Npad, s.h, Hos);
      break;
    case 'RNN_TANH':
    case 'RNN_RELU':
      k.rnnCell(M, H, gi, Npad, s.gh, Npad, s.h, Hos, g.mode === 'RNN_RELU' ? 1 : 0);
      break;
  }
}

/** Copies rows (count, n) of `src` into workspace rows at byte offset `at`, stride `ld` elements. */
export function putRows(view: FloatArray, at: number, ld: number, src: FloatArray, srcOffset: number, count: number, n: number): void {
  const base = at / view.BYTES_PER_ELEMENT;
  for (let b = 0; b < count; b++) view.set(src.subarray(srcOffset + b * n, srcOffset + (b + 1) * n), base + b * ld);
}

/** Copies workspace rows (count, n) at byte offset `at`, stride `ld` elements, into `dst`. */
export function getRows(view: FloatArray, at: number, ld: number, dst: FloatArray, dstOffset: number, count: number, n: number): void {
  const base = at / view.BYTES_PER_ELEMENT;
  for (let b = 0; b < count; b++) dst.set(view.subarray(base + b * ld, base + b * ld + n), dstOffset + b * n);
}

/** A stack prepared for the kernels: weights packed once into its own WASM memory. */
export class FastStack implements PreparedStack {
  readonly engine = 'fast' as const;
  readonly config: StackConfig;
  readonly geometry: Geometry;
  readonly build: SimdBuild;
  private ws: Workspace | null;
  /** The kernels of the stack's dtype. */
  readonly kernels: Kernels;
  /** Packed weights, `layers[layer·D + direction]`. */
  readonly layers: readonly PackedLayer[];
  /** A zero bias for the projection GEMM. */
  readonly zeros: number;
  /** Everything below this mark is weights; runs allocate above it. */
  readonly weightsEnd: number;

  constructor(config: StackConfig, weights: StackWeights, build: SimdBuild) {
    this.config = config;
    this.geometry = geometry(config, weights.dtype);
    this.build = build;
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

  dispose(): void {
    this.ws = null;
  }
}
