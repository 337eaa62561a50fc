// C = A·Wᵀ + b, the product behind every linear map of a recurrent layer (torch.nn.functional.linear).
// reference: https://pytorch.org/docs/stable/generated/torch.nn.functional.linear.html
//
// Generic over the element type T (f32, f64). W (N, K) is packed once into panels 32 bytes wide
// (NR = 8 floats or 4 doubles), k-major: panel p holds W[NR·p + j, k] at element NR·K·p + NR·k + j
// (rows past N are zero). The 4-row micro-kernel keeps 8 accumulators, 2 panel loads and one splat
// in V8's 15 vector registers; single rows left over from 4-row tiles use 3 panels (6 accumulators;
// 4 panels need 17 registers and spill). A single-row product (batch 1) has `gemv`, over its own
// layout: groups 96 bytes wide (VR = 24 floats or 12 doubles), k-major, so one pointer with
// immediate offsets walks W. Each output element is b[n] + Σ_k A[m, k]·W[n, k] summed in k order,
// whatever the kernel or tiling (`gemvh` rounds each product before the add, also in the relaxed
// build: see `mac`).
import { loadSplat, madd } from './simd';

/** Rows of A per block: a block (≤ 64 × K) stays in L2 while each panel of W sits in L1. */
const MB = 64;

// @ts-ignore: decorator
@inline function tile4<T>(K: i32, a: usize, lda: usize, w: usize, b: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(b), c01 = v128.load(b, 16);
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  const end = <usize>K * sizeof<T>();
  for (let k: usize = 0; k < end; k += sizeof<T>()) {
    const w0 = v128.load(w), w1 = v128.load(w, 16);
    let x = loadSplat<T>(a + k);
    c00 = madd<T>(x, w0, c00); c01 = madd<T>(x, w1, c01);
    x = loadSplat<T>(a1 + k);
    c10 = madd<T>(x, w0, c10); c11 = madd<T>(x, w1, c11);
    x = loadSplat<T>(a2 + k);
    c20 = madd<T>(x, w0, c20); c21 = madd<T>(x, w1, c21);
    x = loadSplat<T>(a3 + k);
    c30 = madd<T>(x, w0, c30); c31 = madd<T>(x, w1, c31);
    w += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

// @ts-ignore: decorator
@inline function row3<T>(K: i32, a: usize, w: usize, panel: usize, b: usize, c: usize): void {
  let c0 = v128.load(b), c1 = v128.load(b, 16), c2 = v128.load(b, 32), c3 = v128.load(b, 48);
  let c4 = v128.load(b, 64), c5 = v128.load(b, 80);
  const wa = w, wb = w + panel, wc = wb + panel;
  for (let k: usize = 0; k < <usize>K; k++) {
    const x = loadSplat<T>(a + k * sizeof<T>());
    const o = k << 5;
    c0 = madd<T>(x, v128.load(wa + o), c0); c1 = madd<T>(x, v128.load(wa + o, 16), c1);
    c2 = madd<T>(x, v128.load(wb + o), c2); c3 = madd<T>(x, v128.load(wb + o, 16), c3);
    c4 = madd<T>(x, v128.load(wc + o), c4); c5 = madd<T>(x, v128.load(wc + o, 16), c5);
  }
  v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
  v128.store(c, c4, 64); v128.store(c, c5, 80);
}

// @ts-ignore: decorator
@inline function row2<T>(K: i32, a: usize, w: usize, panel: usize, b: usize, c: usize): void {
  let c0 = v128.load(b), c1 = v128.load(b, 16), c2 = v128.load(b, 32), c3 = v128.load(b, 48);
  const wa = w, wb = w + panel;
  for (let k: usize = 0; k < <usize>K; k++) {
    const x = loadSplat<T>(a + k * sizeof<T>());
    const o = k << 5;
    c0 = madd<T>(x, v128.load(wa + o), c0); c1 = madd<T>(x, v128.load(wa + o, 16), c1);
    c2 = madd<T>(x, v128.load(wb + o), c2); c3 = madd<T>(x, v128.load(wb + o, 16), c3);
  }
  v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
}

// @ts-ignore: decorator
@inline function row1<T>(K: i32, a: usize, w: usize, b: usize, c: usize): void {
  let c0 = v128.load(b), c1 = v128.load(b, 16);
  for (let k: usize = 0; k < <usize>K; k++) {
    const x = loadSplat<T>(a + k * sizeof<T>());
    c0 = madd<T>(x, v128.load(w), c0); c1 = madd<T>(x, v128.load(w, 16), c1);
    w += 32;
  }
  v128.store(c, c0); v128.store(c, c1, 16);
}

// @ts-ignore: decorator
@inline function gemmT<T>(M: i32, K: i32, panels: i32, a: usize, lda: i32, w: usize, b: usize, c: usize, ldc: i32): void {
  const aRow = <usize>lda * sizeof<T>(), cRow = <usize>ldc * sizeof<T>(), panel = <usize>K << 5;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const mEnd = min(M, m0 + MB);
    const m4 = m0 + ((mEnd - m0) & ~3);
    for (let p = 0; p < panels; p++) {
      const wp = w + <usize>p * panel, bp = b + (<usize>p << 5), cp = c + (<usize>p << 5);
      for (let m = m0; m < m4; m += 4) tile4<T>(K, a + <usize>m * aRow, aRow, wp, bp, cp + <usize>m * cRow, cRow);
    }
    for (let m = m4; m < mEnd; m++) {
      const am = a + <usize>m * aRow, cm = c + <usize>m * cRow;
      let p = 0;
      for (; p + 3 <= panels; p += 3) row3<T>(K, am, w + <usize>p * panel, panel, b + (<usize>p << 5), cm + (<usize>p << 5));
      if (p + 2 <= panels) {
        row2<T>(K, am, w + <usize>p * panel, panel, b + (<usize>p << 5), cm + (<usize>p << 5));
        p += 2;
      }
      if (p < panels) row1<T>(K, am, w + <usize>p * panel, b + (<usize>p << 5), cm + (<usize>p << 5));
    }
  }
}

/**
 * C[m, 0 … NR·panels) = b + A[m, 0 … K)·Wᵀ for m < M (float32, NR = 8). Pointers are byte
 * offsets; lda / ldc count elements. b holds NR·panels elements (zeros for bias=False).
 */
export function gemm(M: i32, K: i32, panels: i32, a: usize, lda: i32, w: usize, b: usize, c: usize, ldc: i32): void {
  gemmT<f32>(M, K, panels, a, lda, w, b, c, ldc);
}

/** `gemm` in float64 (NR = 4). */
export function gemm64(M: i32, K: i32, panels: i32, a: usize, lda: i32, w: usize, b: usize, c: usize, ldc: i32): void {
  gemmT<f64>(M, K, panels, a, lda, w, b, c, ldc);
}

// The single-row product has only 6 accumulator chains, each K long: a fused multiply-add's
// latency (4 cycles) then bounds it, where a multiply off the chain and an add (3 cycles) do not.
// So the recurrent mat-vec (`gemvh`, every batch-1 step) multiplies then adds in both builds;
// `gemv`, the input projection of a streamed step, uses the build's `madd` as `gemm` does, so that
// a streamed step and a forward pass compute the same sums.
// @ts-ignore: decorator
@inline function mac<T>(fused: bool, a: v128, b: v128, c: v128): v128 {
  return fused ? madd<T>(a, b, c) : v128.add<T>(v128.mul<T>(a, b), c);
}

// @ts-ignore: decorator
@inline export function gemvT<T>(fused: bool, K: i32, groups: i32, a: usize, w: usize, b: usize, c: usize): void {
  const end = a + <usize>K * sizeof<T>();
  for (let q = 0; q < groups; q++) {
    let c0 = v128.load(b), c1 = v128.load(b, 16), c2 = v128.load(b, 32), c3 = v128.load(b, 48);
    let c4 = v128.load(b, 64), c5 = v128.load(b, 80);
    for (let p = a; p < end; p += sizeof<T>()) {
      const x = loadSplat<T>(p);
      c0 = mac<T>(fused, x, v128.load(w), c0); c1 = mac<T>(fused, x, v128.load(w, 16), c1);
      c2 = mac<T>(fused, x, v128.load(w, 32), c2); c3 = mac<T>(fused, x, v128.load(w, 48), c3);
      c4 = mac<T>(fused, x, v128.load(w, 64), c4); c5 = mac<T>(fused, x, v128.load(w, 80), c5);
      w += 96;
    }
    v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
    v128.store(c, c4, 64); v128.store(c, c5, 80);
    b += 96;
    c += 96;
  }
}

/**
 * c[0, 0 … VR·groups) = b + a[0 … K)·Wᵀ for one row (float32, VR = 24), W in `gemv` groups
 * (group q holds W[VR·q + j, k] at element VR·K·q + VR·k + j).
 */
export function gemv(K: i32, groups: i32, a: usize, w: usize, b: usize, c: usize): void {
  gemvT<f32>(true, K, groups, a, w, b, c);
}

/** `gemv` as a multiply then an add (the recurrent product of batch-1 steps; see `mac`). */
export function gemvh(K: i32, groups: i32, a: usize, w: usize, b: usize, c: usize): void {
  gemvT<f32>(false, K, groups, a, w, b, c);
}

/** `gemv` in float64 (VR = 12). */
export function gemv64(K: i32, groups: i32, a: usize, w: usize, b: usize, c: usize): void {
  gemvT<f64>(true, K, groups, a, w, b, c);
}

export function gemvh64(K: i32, groups: i32, a: usize, w: usize, b: usize, c: usize): void {
  gemvT<f64>(false, K, groups, a, w, b, c);
}
