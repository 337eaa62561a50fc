/**
 * Weights repacked once, at prepare(), into the kernels' layout (src/fast/assembly/gemm.ts):
 * gate blocks padded to Hs = H rounded up to 4 (so gate g of unit j is column g·Hs + j), then
 * W (N, K) cut into panels 32 bytes wide (NR = 8 float32 or 4 float64 columns) stored k-major,
 * and W_ih, W_hh also into the single-row kernel's groups 96 bytes wide (VR = 24 or 12 columns).
 * Padding rows are zero, so padded columns compute exact zeros and the kernels never branch on a
 * tail.
 */
import { gateCount, numDirections, outSize, type Mode, type StackConfig } from '../config.js';
import type { FloatDType } from '../dtype.js';
import type { FloatArray, StackWeights } from '../engine/types.js';
import type { Workspace } from './wasm.js';

/** Sizes of the padded layout of one stack (the same for every layer and direction). */
export interface Geometry {
  readonly mode: Mode;
  readonly dtype: FloatDType;
  /** Bytes per element: 4 or 8. */
  readonly bytes: number;
  /** Gate blocks: 1 (RNN), 3 (GRU), 4 (LSTM). */
  readonly G: number;
  readonly H: number;
  /** H rounded up to 4: the stride between gate blocks and of the cell state c. */
  readonly Hs: number;
  /** H_out: projSize when projecting, else H. */
  readonly Hout: number;
  /** H_out rounded up to the panel width: the row stride of the hidden state h. */
  readonly Hos: number;
  /** Panels of the gate product and its padded width NR·panels. */
  readonly panels: number;
  readonly Npad: number;
  /** Groups of the single-row product (`gemv`) and their width VR·groups ≥ Npad. */
  readonly groups: number;
  readonly Nvec: number;
  /** Panels of the projection W_hr (0 without proj_size). */
  readonly projPanels: number;
  readonly D: number;
}

/** Byte offsets of one layer × direction's packed weights in its workspace. */
export interface PackedLayer {
  readonly inSize: number;
  readonly wIh: number;
  readonly bIh: number;
  readonly wHh: number;
  readonly bHh: number;
  /** W_ih and W_hh in `gemv` groups. */
  readonly wIhVec: number;
  readonly wHhVec: number;
  /** W_hr panels, or 0 without proj_size. */
  readonly wHr: number;
}

export function geometry(config: StackConfig, dtype: FloatDType): Geometry {
  const bytes = dtype === 'float32' ? 4 : 8;
  const NR = 32 / bytes;
  const H = config.hiddenSize;
  const G = gateCount(config.mode);
  const Hs = Math.ceil(H / 4) * 4;
  const Hout = outSize(config);
  const panels = Math.ceil((G * Hs) / NR);
  const VR = 96 / bytes;
  const groups = Math.ceil((panels * NR) / VR);
  return {
    mode: config.mode,
    dtype,
    bytes,
    G,
    H,
    Hs,
    Hout,
    Hos: Math.ceil(Hout / NR) * NR,
    panels,
    Npad: panels * NR,
    groups,
    Nvec: groups * VR,
    projPanels: config.projSize > 0 ? Math.ceil(config.projSize / NR) : 0,
    D: numDirections(config),
  };
}

/** The element type of a packed layout: its dtype and bytes per element. */
export type ElementType = Pick<Geometry, 'dtype' | 'bytes'>;

/**
 * Writes W (rows, K) in blocks `width` columns wide, k-major: column n of the padded product reads
 * W row `source(n)` (−1: zero). Returns the byte offset of the blocks.
 */
export function packBlocks(ws: Workspace, g: ElementType, w: FloatArray, K: number, blocks: number, width: number, source: (n: number) => number): number {
  const at = ws.alloc(blocks * width * K * g.bytes);
  const view = ws.view(g.dtype);
  const base = at / g.bytes;
  for (let n = 0; n < blocks * width; n++) {
    const row = source(n);
    if (row < 0) continue;
    const dst = base + Math.floor(n / width) * width * K + (n % width);
    const src = row * K;
    for (let k = 0; k < K; k++) view[dst + width * k] = w[src + k];
  }
  return at;
}

/** Writes `count` bias entries, entry n from b[source(n)] (−1, or no bias: zero). Returns its byte offset. */
export function packBias(ws: Workspace, g: ElementType, b: FloatArray | null, count: number, source: (n: number) => number): number {
  const at = ws.alloc(count * g.bytes);
  if (b !== null) {
    const view = ws.view(g.dtype);
    for (let n = 0; n < count; n++) {
      const row = source(n);
      if (row >= 0) view[at / g.bytes + n] = b[row];
    }
  }
  return at;
}

/** Packs every layer × direction of a stack into `ws` (freshly zeroed memory). */
export function packStack(ws: Workspace, config: StackConfig, weights: StackWeights, g: Geometry): PackedLayer[] {
  const { G, H, Hs, Hout, panels, groups, Nvec, projPanels, D } = g;
  // padded column n = gate·Hs + j ↔ state_dict row gate·H + j
  const gateRow = (n: number): number => {
    const gate = Math.floor(n / Hs), j = n - gate * Hs;
    return gate < G && j < H ? gate * H + j : -1;
  };
  const projRow = (n: number): number => (n < Hout ? n : -1);
  const NR = 32 / g.bytes, VR = 96 / g.bytes;
  return weights.layers.map((w, k) => {
    const inSize = k < D ? config.inputSize : D * Hout;
    return {
      inSize,
      wIh: packBlocks(ws, g, w.wIh, inSize, panels, NR, gateRow),
      bIh: packBias(ws, g, w.bIh, Nvec, gateRow),
      wHh: packBlocks(ws, g, w.wHh, Hout, panels, NR, gateRow),
      bHh: packBias(ws, g, w.bHh, Nvec, gateRow),
      wIhVec: packBlocks(ws, g, w.wIh, inSize, groups, VR, gateRow),
      wHhVec: packBlocks(ws, g, w.wHh, Hout, groups, VR, gateRow),
      wHr: projPanels > 0 ? packBlocks(ws, g, w.wHr as FloatArray, H, projPanels, NR, projRow) : 0,
    };
  });
}
