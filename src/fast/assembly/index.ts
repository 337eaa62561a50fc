// The kernel module rnnport's fast engine instantiates (src/fast/wasm.ts). Built twice by
// scripts/build_wasm.mjs: with relaxed-SIMD fused multiply-add and without.
export { gemm, gemm64, gemv, gemv64, gemvh, gemvh64 } from './gemm';
export { seq1, seq164 } from './seq';
export { lstmCell, lstmCell64, gruCell, gruCell64, rnnCell, rnnCell64, copyRows, copyRows64 } from './cells';

/** First free byte after the module's static data, 16-aligned: the glue allocates from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
