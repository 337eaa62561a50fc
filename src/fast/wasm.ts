/**
 * Loading the kernels: both builds are embedded as base64 (src/fast/generated/kernels.ts, written
 * by scripts/build_wasm.mjs), so nothing here touches a filesystem. The relaxed-SIMD build is used
 * only where `WebAssembly.validate` accepts it (Chromium ≥ 114, newer Node, or Node 20 with
 * `--experimental-wasm-relaxed-simd`); no flag is ever required.
 *
 * Note [warm-up]
 * V8 first runs WebAssembly with its baseline compiler (Liftoff, ~5× slower here) and tiers a
 * function up only between calls, never inside a long one. Each build is therefore compiled once
 * and its kernels are called on small problems at load, so that the optimised code is in place
 * before the first long forward pass; time loops also call the kernels per step or per chunk.
 */
import type { SimdOption } from '../config.js';
import type { FloatDType } from '../dtype.js';
import type { FloatArray } from '../engine/types.js';
import { fail } from '../errors.js';
import { PLAIN_WASM_BASE64, RELAXED_WASM_BASE64 } from './generated/kernels.js';

/** A kernel build: with relaxed-SIMD fused multiply-add, or plain SIMD128 multiply then add. */
export type SimdBuild = 'relaxed' | 'plain';

/** One dtype's kernels (src/fast/assembly/): pointers are byte offsets into the memory, strides count elements. */
export interface Kernels {
  gemm(M: number, K: number, panels: number, a: number, lda: number, w: number, b: number, c: number, ldc: number): void;
  gemv(K: number, groups: number, a: number, w: number, b: number, c: number): void;
  gemvh: Kernels['gemv'];
  lstmCell(M: number, H: number, Hs: number, gi: number, ldgi: number, gh: number, ldgh: number, c: number, ldc: number, y: number, ldy: number): void;
  gruCell(M: number, H: number, Hs: number, gi: number, ldgi: number, gh: number, ldgh: number, h: number, ldh: number): void;
  rnnCell(M: number, H: number, gi: number, ldgi: number, gh: number, ldgh: number, h: number, ldh: number, relu: number): void;
  copyRows(M: number, n: number, src: number, lds: number, dst: number, ldd: number): void;
  seq1(
    mode: number, T: number, dir: number, H: number, Hs: number, Hout: number, groups: number, gi: number, ldgi: number,
    w: number, b: number, h: number, c: number, gh: number, out: number, ldo: number,
  ): void;
}

/** The module's exports (src/fast/assembly/index.ts): the float32 kernels, `…64` for float64. */
interface KernelExports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemm64: Kernels['gemm'];
  gemv64: Kernels['gemv'];
  gemvh64: Kernels['gemv'];
  lstmCell64: Kernels['lstmCell'];
  gruCell64: Kernels['gruCell'];
  rnnCell64: Kernels['rnnCell'];
  copyRows64: Kernels['copyRows'];
  seq164: Kernels['seq1'];
}

const BASE64: Record<SimdBuild, string> = { plain: PLAIN_WASM_BASE64, relaxed: RELAXED_WASM_BASE64 };
const bytesCache: Partial<Record<SimdBuild, Uint8Array<ArrayBuffer>>> = {};
const moduleCache: Partial<Record<SimdBuild, WebAssembly.Module>> = {};
const validCache: Partial<Record<SimdBuild, boolean>> = {};

function bytesOf(build: SimdBuild): Uint8Array<ArrayBuffer> {
  let bytes = bytesCache[build];
  if (bytes === undefined) {
    const text = atob(BASE64[build]);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    bytesCache[build] = bytes;
  }
  return bytes;
}

/** True when this runtime can compile the given build (SIMD128; relaxed SIMD for `relaxed`). */
export function simdSupported(build: SimdBuild): boolean {
  let valid = validCache[build];
  if (valid === undefined) {
    valid = typeof WebAssembly === 'object' && WebAssembly.validate(bytesOf(build));
    validCache[build] = valid;
  }
  return valid;
}

/** The build an option selects; E_BAD_OPTION when the runtime cannot run the requested one. */
export function resolveSimd(option: SimdOption): SimdBuild {
  if (option === 'auto') return simdSupported('relaxed') ? 'relaxed' : 'plain';
  if (option !== 'relaxed' && option !== 'plain') {
    throw fail('E_BAD_OPTION', { what: 'simd', expected: "'auto', 'relaxed' or 'plain'", got: String(option) });
  }
  if (!simdSupported(option)) {
    throw fail('E_BAD_OPTION', {
      what: 'simd',
      expected: option === 'relaxed' ? 'a runtime with relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)' : 'a runtime with WebAssembly SIMD128',
      got: `'${option}', which WebAssembly.validate rejects here`,
    });
  }
  return option;
}

/**
 * The compiled module of a build, compiled and warmed up on first use (See Note [warm-up]); null
 * where the runtime refuses synchronous compilation (a RangeError: older Chromium allowed it on
 * the main thread only for modules under 4 KB); `initFastEngine` compiles asynchronously instead.
 */
export function kernelModule(build: SimdBuild): WebAssembly.Module | null {
  let module = moduleCache[build];
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(bytesOf(build));
    } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
    ready(build, module);
  }
  return module;
}

function ready(build: SimdBuild, module: WebAssembly.Module): void {
  moduleCache[build] = module;
  warmUp(new Workspace(module, build));
}

/**
 * Compiles and warms up the kernel build `simd` selects, asynchronously. Only needed where
 * synchronous compilation is refused (current Node and Chromium compile the ~16 KB kernels
 * synchronously on first use); afterwards modules use the fast engine there too.
 */
export async function initFastEngine(simd: SimdOption = 'auto'): Promise<void> {
  const build = resolveSimd(simd);
  if (moduleCache[build] !== undefined) return;
  const module = await WebAssembly.compile(bytesOf(build));
  if (moduleCache[build] === undefined) ready(build, module);
}

function warmUp(ws: Workspace): void {
  for (const dtype of ['float32', 'float64'] as const) {
    const K = 64, panels = 8, M = 9, H = 16, Hs = 16, e = dtype === 'float32' ? 4 : 8;
    const w = ws.alloc(panels * 32 * K), b = ws.alloc(panels * 32), a = ws.alloc(M * K * e), c = ws.alloc(M * panels * 32);
    const g = ws.alloc(M * panels * 32), s = ws.alloc(M * Hs * e), y = ws.alloc(M * Hs * e);
    const k = ws.kernels(dtype);
    const ld = (panels * 32) / e;
    for (let i = 0; i < 300; i++) {
      k.gemm(M, K, panels, a, K, w, b, c, ld);
      k.gemm(1, K, panels, a, K, w, b, c, ld);
      k.gemv(K, 2, a, w, b, c);
      k.gemvh(K, 2, a, w, b, c);
      k.lstmCell(M, H, Hs, g, ld, c, ld, s, Hs, y, Hs);
      k.gruCell(M, H, Hs, g, ld, c, ld, s, Hs);
      k.rnnCell(M, H, g, ld, c, ld, s, Hs, i & 1);
      k.copyRows(M, H - 1, s, Hs, y, Hs);
      k.seq1(i & 3, 2, i & 1, H, Hs, H, 1, g, ld, w, b, s, y, c, a, H);
    }
  }
}

/**
 * One instance of the kernels with its own memory and a bump allocator over it. Objects that
 * hold one (prepared stacks, streams) own WASM memory and expose `dispose()`.
 */
export class Workspace {
  readonly build: SimdBuild;
  private readonly exports: KernelExports;
  private readonly sets: Record<FloatDType, Kernels>;
  private top: number;
  private views: { f32: Float32Array; f64: Float64Array };

  constructor(module: WebAssembly.Module, build: SimdBuild) {
    this.build = build;
    const x = new WebAssembly.Instance(module).exports as unknown as KernelExports;
    this.exports = x;
    this.sets = {
      float32: x,
      float64: { gemm: x.gemm64, gemv: x.gemv64, gemvh: x.gemvh64, lstmCell: x.lstmCell64, gruCell: x.gruCell64, rnnCell: x.rnnCell64, copyRows: x.copyRows64, seq1: x.seq164 },
    };
    this.top = x.heapBase();
    this.views = { f32: new Float32Array(x.memory.buffer), f64: new Float64Array(x.memory.buffer) };
  }

  /** The kernels of a compute dtype. */
  kernels(dtype: FloatDType): Kernels {
    return this.sets[dtype];
  }

  /** Reserves `bytes` (rounded up to 16) and returns its byte offset; grows the memory as needed. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = at + Math.ceil(bytes / 16) * 16;
    const memory = this.exports.memory;
    if (this.top > memory.buffer.byteLength) {
      memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / 65536));
    }
    return at;
  }

  /** The allocation mark, to release everything allocated after it with `release`. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** The memory as elements of a dtype; re-read after any `alloc` (growing detaches the old buffer). */
  view(dtype: FloatDType): FloatArray {
    const buffer = this.exports.memory.buffer;
    if (this.views.f32.buffer !== buffer) this.views = { f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
    return dtype === 'float32' ? this.views.f32 : this.views.f64;
  }
}

/** A new workspace for a build (compiling and warming the build on first use). */
export function openWorkspace(build: SimdBuild): Workspace {
  const module = kernelModule(build);
  if (module === null) {
    throw fail('E_BAD_OPTION', { what: 'engine', expected: "'auto' or 'reference' until `await initFastEngine()` has compiled the kernels", got: "'fast'" });
  }
  return new Workspace(module, build);
}
