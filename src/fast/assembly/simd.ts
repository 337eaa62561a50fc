// Vector helpers shared by the kernels, generic over the lane type T (f32: 4 lanes, f64: 2): the
// multiply-add of this build, and sigmoid (through e^x) / tanh (through e^x − 1) accurate to a few
// ulps of T and saturating like PyTorch (exactly 0 / 1 / ±1, never NaN from overflow).
// reference: https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html (σ, tanh in the gate equations)

/** c + a·b: one relaxed fused multiply-add in the relaxed build, a rounded multiply then add otherwise. */
// @ts-ignore: decorator
@inline export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/** The T at `ptr` in every lane. */
// @ts-ignore: decorator
@inline export function loadSplat<T>(ptr: usize): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(ptr);
  return v128.load64_splat(ptr);
}

// Constants are read from memory with broadcast loads: V8 rematerialises each v128.const inside a
// loop with three instructions through a general-purpose register (a loop of e^x − 1 alone ran
// 20 % slower that way, and the module was a quarter larger).
// Entries: 0 rounding magic 1.5·2^m, 1–2 clamp bounds, 3 log2(e), 4–5 −ln 2 high / low, 6 one,
// 7 two, 8 −0 (the sign bit), 9 the bits 0x4B400000 − 127 (0x4338000000000000 − 1023) that turn
// bits(t) into the exponent field of 2^n, then P(r) from the highest degree.
const F32: StaticArray<f32> = [
  12582912.0, -87.33654, 88.0, 1.44269504088896341, -0.693359375, 2.12194440e-4, 1.0, 2.0, -0.0,
  reinterpret<f32>(0x4B400000 - 127),
  1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
];
const F64: StaticArray<f64> = [
  6755399441055744.0, -708.0, 709.0, 1.4426950408889634, -6.93147180369123816490e-01, -1.90821492927058770002e-10, 1.0, 2.0, -0.0,
  reinterpret<f64>(0x4338000000000000 - 1023),
  1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 1.0 / 2.0,
];
const ONE = 6, TWO = 7, SIGN = 8, BIAS = 9, P = 10;

/** Constant `i` of the table of T, in every lane. */
// @ts-ignore: decorator
@inline function k<T>(i: i32): v128 {
  return loadSplat<T>((sizeof<T>() == 4 ? changetype<usize>(F32) : changetype<usize>(F64)) + <usize>i * sizeof<T>());
}

// e^x − 1 = 2^n·(e^r − 1) + (2^n − 1) with n = round(x·log2(e)), r = x − n·ln 2 (ln 2 split in two,
// exact in the high part), |r| ≤ ln(2)/2, and e^r − 1 = r + r²·P(r): Cephes expf's degree-5 P for
// f32, Taylor to r¹³ for f64 (next term < 5e−18). Rounding adds 1.5·2^23 (1.5·2^52), which leaves
// n in the low mantissa bits, so 2^n is built from those bits with integer ops. x is clamped
// (pmin / pmax keep NaN) so 2^n stays normal and e^x − 1 finite: sigmoid and tanh below then
// saturate to exactly 0 / 1 / ±1, and near 0 e^x − 1 keeps full relative precision.
// P is evaluated in Estrin's scheme (pairs, then powers of r²): half the dependent latency of
// Horner's (with σ through e^x, below, the small LSTM's gate updates went from 35 to 31 µs in the
// plain build; the relaxed build's fused multiply-adds here took them to 23 µs).
// Callers clamp x (`vclamp`), round (`vround`: t holds n in its low bits), then take
// q = e^r − 1 (`vexpr`) and 2^n (`vpow2`).

// @ts-ignore: decorator
@inline function vclamp<T>(x: v128): v128 {
  return v128.pmin<T>(v128.pmax<T>(x, k<T>(1)), k<T>(2));
}

// @ts-ignore: decorator
@inline function vround<T>(v: v128): v128 {
  return madd<T>(v, k<T>(3), k<T>(0));
}

// @ts-ignore: decorator
@inline function vexpr<T>(v: v128, t: v128): v128 {
  const n = v128.sub<T>(t, k<T>(0));
  const r = madd<T>(n, k<T>(5), madd<T>(n, k<T>(4), v));
  const r2 = v128.mul<T>(r, r);
  let p: v128;
  if (sizeof<T>() == 4) {
    // P(r) = (c5 + c4·r) + r²·((c3 + c2·r) + r²·(c1 + c0·r)), c0 the highest degree
    const p01 = madd<T>(k<T>(P), r, k<T>(P + 1));
    const p23 = madd<T>(k<T>(P + 2), r, k<T>(P + 3));
    const p45 = madd<T>(k<T>(P + 4), r, k<T>(P + 5));
    p = madd<T>(madd<T>(p01, r2, p23), r2, p45);
  } else {
    p = k<T>(P);
    for (let i = 1; i < 12; i++) p = v128.add<T>(v128.mul<T>(p, r), k<T>(P + i));
  }
  return madd<T>(p, r2, r);
}

// @ts-ignore: decorator
@inline function vpow2<T>(t: v128): v128 {
  if (sizeof<T>() == 4) return i32x4.shl(i32x4.sub(t, k<T>(BIAS)), 23);
  return i64x2.shl(i64x2.sub(t, k<T>(BIAS)), 52);
}

/** e^x − 1 (see above). */
// @ts-ignore: decorator
@inline export function vexpm1<T>(x: v128): v128 {
  const v = vclamp<T>(x), t = vround<T>(v);
  const q = vexpr<T>(v, t), p2 = vpow2<T>(t);
  return v128.add<T>(v128.mul<T>(q, p2), v128.sub<T>(p2, k<T>(ONE)));
}

/**
 * σ(x) = e / (1 + e) with e = e^x = 2^n·(1 + q): e is accurate to a few ulps relative at every x
 * (so is σ, also where it is ≈ e), 1 + e rounds to e beyond x ≈ 17 (σ = 1 exactly), and the clamp
 * keeps e finite.
 */
// @ts-ignore: decorator
@inline export function vsigmoid<T>(x: v128): v128 {
  const v = vclamp<T>(x), t = vround<T>(v);
  const e = v128.mul<T>(v128.add<T>(vexpr<T>(v, t), k<T>(ONE)), vpow2<T>(t));
  return v128.div<T>(e, v128.add<T>(e, k<T>(ONE)));
}

/**
 * tanh x = e / (e + 2) with e = e^{2x} − 1, for either sign: below 0, e ∈ (−1, 0) and e + 2 ∈ (1, 2)
 * cancel nothing; e is −1 exactly once 2x is clamped (tanh = −1), and e + 2 rounds to e beyond
 * x ≈ 9 (tanh = 1).
 */
// @ts-ignore: decorator
@inline export function vtanh<T>(x: v128): v128 {
  const e = vexpm1<T>(v128.add<T>(x, x));
  return v128.div<T>(e, v128.add<T>(e, k<T>(TWO)));
}
