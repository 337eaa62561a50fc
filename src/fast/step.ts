/**
 * One time step of one layer × direction on the kernels, and the row copies between typed arrays
 * and the workspace: shared by the forward pass (stack.ts) and the stream (stream.ts).
 */
import type { FloatArray } from '../engine/types.js';
import type { Geometry, PackedLayer } from './pack.js';
import type { Kernels, Workspace } from './wasm.js';

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
