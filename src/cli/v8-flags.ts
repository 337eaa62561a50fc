/**
 * The one V8 flag the CLI sets for its own process: relaxed SIMD, which Node 20 validates only
 * behind `--experimental-wasm-relaxed-simd` (newer Node and Chromium ≥ 114 have it on), and which
 * gives the fast engine fused multiply-add (+35–40 % on AVX2 machines, docs/performance.md).
 * `v8.setFlagsFromString` works when called before any WebAssembly using it is compiled (the
 * kernels compile on first use, after this). The library never sets a flag: only this process does.
 */
import { setFlagsFromString } from 'node:v8';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/** A minimal module whose one function uses f32x4.relaxed_madd (0xfd 0x85 0x02). */
const PROBE = (() => {
  const v128Const = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0x00, ...v128Const, ...v128Const, ...v128Const, 0xfd, 0x85, 0x02, 0x0b];
  const code = [0x01, body.length, ...body];
  // magic, version; type section: () -> v128; function section; code section
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, code.length, ...code]);
})();

const relaxedValidates = (): boolean => typeof WebAssembly === 'object' && WebAssembly.validate(PROBE);

/**
 * Turns relaxed SIMD on for this process where the runtime has it behind the flag. Returns the V8
 * flags it set (none where relaxed SIMD is already on, or where the flag does not help).
 */
export function enableRelaxedSimd(): string[] {
  if (relaxedValidates()) return [];
  setFlagsFromString(RELAXED_FLAG);
  return relaxedValidates() ? [RELAXED_FLAG] : [];
}
