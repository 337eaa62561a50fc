// Gate nonlinearities and state updates of one time step, over rows m < M of the step's batch.
// reference: https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html (and torch.nn.GRU, torch.nn.RNN)
//
// gi = W_ih x + b_ih (precomputed for all steps) and gh = W_hh h + b_hh (this step) hold their gate
// blocks at element offsets g·Hs, Hs = H rounded up to 4; columns past H compute on zero weights
// and keep zero states, so every loop runs over whole vectors. Pointers are byte offsets, strides
// count elements. Generic over T (f32, f64); the exports below name both.
import { vsigmoid, vtanh } from './simd';

/**
 * LSTM: i = σ(gi_i + gh_i), f = σ(gi_f + gh_f), g = tanh(gi_g + gh_g), o = σ(gi_o + gh_o),
 * c' = f ⊙ c + i ⊙ g, y = o ⊙ tanh(c') (h' itself, or the input of h' = W_hr y with proj_size).
 */
// @ts-ignore: decorator
@inline export function lstmCellT<T>(M: i32, H: i32, Hs: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, c: usize, ldc: i32, y: usize, ldy: i32): void {
  for (let m = 0; m < M; m++) {
    lstmRowT<T>(Hs, gi + <usize>(m * ldgi) * sizeof<T>(), gh + <usize>(m * ldgh) * sizeof<T>(), c + <usize>(m * ldc) * sizeof<T>(), y + <usize>(m * ldy) * sizeof<T>());
  }
}

// One row in two passes: first each gate's nonlinearity, in place in gh, as flat loops of
// independent vectors, then the state update with its one tanh per unit. One loop doing all five
// per unit (a long dependency chain: tanh(c') waits for the gates) was 15 % slower in the relaxed
// build (26 against 22.5 µs for the small LSTM's 100 steps) and no faster in the plain one. The
// gate blocks are whole vectors (Hs = H rounded up to 4); padding columns compute on zeros and
// leave c, y at zero.
// @ts-ignore: decorator
@inline function lstmRowT<T>(Hs: i32, xr: usize, hr: usize, cr: usize, yr: usize): void {
  const F = <usize>Hs * sizeof<T>(), G = F << 1, O = F * 3, end = F << 2;
  for (let j: usize = 0; j < G; j += 16) v128.store(hr + j, vsigmoid<T>(v128.add<T>(v128.load(xr + j), v128.load(hr + j))));
  for (let j: usize = O; j < end; j += 16) v128.store(hr + j, vsigmoid<T>(v128.add<T>(v128.load(xr + j), v128.load(hr + j))));
  for (let j: usize = G; j < O; j += 16) v128.store(hr + j, vtanh<T>(v128.add<T>(v128.load(xr + j), v128.load(hr + j))));
  for (let j: usize = 0; j < F; j += 16) {
    const c1 = v128.add<T>(v128.mul<T>(v128.load(hr + F + j), v128.load(cr + j)), v128.mul<T>(v128.load(hr + j), v128.load(hr + G + j)));
    v128.store(cr + j, c1);
    v128.store(yr + j, v128.mul<T>(v128.load(hr + O + j), vtanh<T>(c1)));
  }
}

/**
 * GRU: r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n) (b_hn inside the product),
 * h' = (h − n) ⊙ z + n, ATen's order of (1 − z) ⊙ n + z ⊙ h.
 */
// @ts-ignore: decorator
@inline export function gruCellT<T>(M: i32, H: i32, Hs: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, h: usize, ldh: i32): void {
  const R: usize = 0, Z = <usize>Hs * sizeof<T>(), N = Z << 1, end = <usize>H * sizeof<T>();
  for (let m = 0; m < M; m++) {
    const xr = gi + <usize>(m * ldgi) * sizeof<T>(), hr = gh + <usize>(m * ldgh) * sizeof<T>(), sr = h + <usize>(m * ldh) * sizeof<T>();
    for (let j: usize = 0; j < end; j += 16) {
      const r = vsigmoid<T>(v128.add<T>(v128.load(xr + R + j), v128.load(hr + R + j)));
      const z = vsigmoid<T>(v128.add<T>(v128.load(xr + Z + j), v128.load(hr + Z + j)));
      const n = vtanh<T>(v128.add<T>(v128.load(xr + N + j), v128.mul<T>(r, v128.load(hr + N + j))));
      v128.store(sr + j, v128.add<T>(v128.mul<T>(v128.sub<T>(v128.load(sr + j), n), z), n));
    }
  }
}

/** Elman RNN: h' = tanh(gi + gh), or relu(gi + gh) when `relu` is 1. */
// @ts-ignore: decorator
@inline export function rnnCellT<T>(M: i32, H: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, h: usize, ldh: i32, relu: i32): void {
  const end = <usize>H * sizeof<T>();
  for (let m = 0; m < M; m++) {
    const xr = gi + <usize>(m * ldgi) * sizeof<T>(), hr = gh + <usize>(m * ldgh) * sizeof<T>(), sr = h + <usize>(m * ldh) * sizeof<T>();
    for (let j: usize = 0; j < end; j += 16) {
      const a = v128.add<T>(v128.load(xr + j), v128.load(hr + j));
      v128.store(sr + j, relu ? v128.max<T>(a, v128.splat<T>(<T>0)) : vtanh<T>(a));
    }
  }
}

/** dst[m, j] = src[m, j] for m < M, j < n: writes no column past n (the next direction's block). */
// @ts-ignore: decorator
@inline export function copyRowsT<T>(M: i32, n: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  const end = <usize>n * sizeof<T>(), vend = end & ~15;
  for (let m = 0; m < M; m++) {
    const s = src + <usize>(m * lds) * sizeof<T>(), d = dst + <usize>(m * ldd) * sizeof<T>();
    let j: usize = 0;
    for (; j < vend; j += 16) v128.store(d + j, v128.load(s + j));
    for (; j < end; j += sizeof<T>()) store<T>(d + j, load<T>(s + j));
  }
}

/** LSTM step, float32 (see lstmCellT). */
export function lstmCell(M: i32, H: i32, Hs: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, c: usize, ldc: i32, y: usize, ldy: i32): void {
  lstmCellT<f32>(M, H, Hs, gi, ldgi, gh, ldgh, c, ldc, y, ldy);
}

export function lstmCell64(M: i32, H: i32, Hs: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, c: usize, ldc: i32, y: usize, ldy: i32): void {
  lstmCellT<f64>(M, H, Hs, gi, ldgi, gh, ldgh, c, ldc, y, ldy);
}

/** GRU step, float32 (see gruCellT). */
export function gruCell(M: i32, H: i32, Hs: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, h: usize, ldh: i32): void {
  gruCellT<f32>(M, H, Hs, gi, ldgi, gh, ldgh, h, ldh);
}

export function gruCell64(M: i32, H: i32, Hs: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, h: usize, ldh: i32): void {
  gruCellT<f64>(M, H, Hs, gi, ldgi, gh, ldgh, h, ldh);
}

/** Elman RNN step, float32 (see rnnCellT). */
export function rnnCell(M: i32, H: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, h: usize, ldh: i32, relu: i32): void {
  rnnCellT<f32>(M, H, gi, ldgi, gh, ldgh, h, ldh, relu);
}

export function rnnCell64(M: i32, H: i32, gi: usize, ldgi: i32, gh: usize, ldgh: i32, h: usize, ldh: i32, relu: i32): void {
  rnnCellT<f64>(M, H, gi, ldgi, gh, ldgh, h, ldh, relu);
}

/** Row copy, float32 (see copyRowsT). */
export function copyRows(M: i32, n: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  copyRowsT<f32>(M, n, src, lds, dst, ldd);
}

export function copyRows64(M: i32, n: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  copyRowsT<f64>(M, n, src, lds, dst, ldd);
}
