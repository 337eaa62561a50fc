// A whole direction of a batch-1 layer in one call: per step the recurrent mat-vec (`gemvh`), the
// cell and the copy of h into the output row, the time loop inside WebAssembly (each call from JS
// costs tens of nanoseconds, three per step otherwise: a few per cent of a small model's time).
// Same arithmetic, in the same order, as the per-step kernels (`gemvh`, the cells, `copyRows`), so
// a forward pass and a stream stepped through it give the same bits.
import { gemvT } from './gemm';
import { copyRowsT, gruCellT, lstmCellT, rnnCellT } from './cells';

/**
 * Steps i < T of one direction, batch 1: t = i (dir 0) or T − 1 − i (dir 1); gi row t at
 * gi + t·ldgi, output row t at out + t·ldo (elements). mode: 0 LSTM (no projection), 1 GRU,
 * 2 RNN tanh, 3 RNN relu. W_hh in `gemv` groups at w, bias b; h (Hout), c (Hs), gh (VR·groups)
 * as the per-step buffers.
 */
// @ts-ignore: decorator
@inline function seqT<T>(mode: i32, T: i32, dir: i32, H: i32, Hs: i32, Hout: i32, groups: i32, gi: usize, ldgi: i32, w: usize, b: usize, h: usize, c: usize, gh: usize, out: usize, ldo: i32): void {
  const giRow = <usize>ldgi * sizeof<T>(), outRow = <usize>ldo * sizeof<T>();
  for (let i = 0; i < T; i++) {
    const t = <usize>(dir == 0 ? i : T - 1 - i);
    const g = gi + t * giRow;
    gemvT<T>(false, Hout, groups, h, w, b, gh);
    if (mode == 0) lstmCellT<T>(1, H, Hs, g, 0, gh, 0, c, 0, h, 0);
    else if (mode == 1) gruCellT<T>(1, H, Hs, g, 0, gh, 0, h, 0);
    else rnnCellT<T>(1, H, g, 0, gh, 0, h, 0, mode == 3 ? 1 : 0);
    copyRowsT<T>(1, Hout, h, 0, out + t * outRow, 0);
  }
}

/** Batch-1 direction, float32 (see seqT). */
export function seq1(mode: i32, T: i32, dir: i32, H: i32, Hs: i32, Hout: i32, groups: i32, gi: usize, ldgi: i32, w: usize, b: usize, h: usize, c: usize, gh: usize, out: usize, ldo: i32): void {
  seqT<f32>(mode, T, dir, H, Hs, Hout, groups, gi, ldgi, w, b, h, c, gh, out, ldo);
}

export function seq164(mode: i32, T: i32, dir: i32, H: i32, Hs: i32, Hout: i32, groups: i32, gi: usize, ldgi: i32, w: usize, b: usize, h: usize, c: usize, gh: usize, out: usize, ldo: i32): void {
  seqT<f64>(mode, T, dir, H, Hs, Hout, groups, gi, ldgi, w, b, h, c, gh, out, ldo);
}
