/**
 * nn.Linear on the fast engine: y = x Wᵀ + b with the GEMM of the recurrent layers
 * (src/fast/assembly/gemm.ts). W (out_features, in_features) is packed once into panels 32 bytes
 * wide, as the input projection W_ih is (pack.ts), the bias padded with zeros to the panels'
 * width; a run copies a block of rows in, multiplies, and copies the out_features columns out.
 */
import type { EngineId, FloatArray, LinearWeights, PreparedLinear } from '../engine/types.js';
import { fail } from '../errors.js';
import { packBias, packBlocks, type ElementType } from './pack.js';
import { openWorkspace, type Kernels, type SimdBuild, type Workspace } from './wasm.js';

/** Rows per GEMM call: bounds the buffers in WASM memory whatever the input's size. */
const CHUNK_ROWS = 1024;

/** A linear map with its weights packed into its own WASM memory. */
export class FastLinear implements PreparedLinear {
  readonly engine: EngineId;
  private ws: Workspace | null;
  private readonly kernels: Kernels;
  private readonly type: ElementType;
  private readonly K: number;
  private readonly N: number;
  /** Panels of W and their padded width NR·panels (the GEMM's output row stride). */
  private readonly panels: number;
  private readonly Npad: number;
  private readonly w: number;
  private readonly b: number;
  private readonly weightsEnd: number;

  constructor(engine: EngineId, build: SimdBuild, weights: LinearWeights) {
    this.engine = engine;
    const bytes = weights.dtype === 'float32' ? 4 : 8;
    const NR = 32 / bytes;
    this.type = { dtype: weights.dtype, bytes };
    this.K = weights.inFeatures;
    this.N = weights.outFeatures;
    this.panels = Math.ceil(this.N / NR);
    this.Npad = this.panels * NR;
    const row = (n: number): number => (n < this.N ? n : -1);
    const ws = openWorkspace(build);
    this.ws = ws;
    this.kernels = ws.kernels(weights.dtype);
    this.w = packBlocks(ws, this.type, weights.weight, this.K, this.panels, NR, row);
    this.b = packBias(ws, this.type, weights.bias, this.Npad, row);
    this.weightsEnd = ws.mark();
  }

  run(x: FloatArray, rows: number): FloatArray {
    const ws = this.ws;
    if (ws === null) throw fail('E_DISPOSED', { what: 'fast engine', expected: 'a live prepared linear map', got: 'a disposed one' });
    const { K, N, Npad } = this;
    const { dtype, bytes } = this.type;
    const y = dtype === 'float32' ? new Float32Array(rows * N) : new Float64Array(rows * N);
    if (rows === 0 || N === 0) return y;
    const chunk = Math.min(rows, CHUNK_ROWS);
    ws.release(this.weightsEnd);
    const a = ws.alloc(chunk * K * bytes);
    const c = ws.alloc(chunk * Npad * bytes);
    const view = ws.view(dtype);
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const m = Math.min(chunk, rows - r0);
      view.set(x.subarray(r0 * K, (r0 + m) * K), a / bytes);
      this.kernels.gemm(m, K, this.panels, a, K, this.w, this.b, c, Npad);
      const c0 = c / bytes;
      if (Npad === N) y.set(view.subarray(c0, c0 + m * N), r0 * N);
      else for (let i = 0; i < m; i++) y.set(view.subarray(c0 + i * Npad, c0 + i * Npad + N), (r0 + i) * N);
    }
    return y;
  }

  dispose(): void {
    this.ws = null;
  }
}
