/**
 * Caller-set limits on untrusted input, with safe defaults (../shared/CONTRACTS.md, "Loaders").
 * Every size read from a file is checked against the bytes present and against these limits
 * before anything is allocated; exceeding a limit is `E_LIMIT`.
 */
import { fail } from '../errors.js';

/** Limits applied while opening and loading weights. */
export interface Limits {
  /**
   * Largest safetensors / npy header, in bytes. The safetensors format itself caps it at 100 MB.
   * @defaultValue 100_000_000
   */
  readonly maxHeaderBytes: number;
  /**
   * Most tensors (or archive members) one source may declare.
   * @defaultValue 100_000
   */
  readonly maxTensors: number;
  /**
   * Most tensor bytes one `load()` may materialise.
   * @defaultValue 4 GiB
   */
  readonly maxTotalBytes: number;
  /**
   * Largest decompressed size of one zip member.
   * @defaultValue 4 GiB
   */
  readonly maxInflatedBytes: number;
  /**
   * Most pickle opcodes executed while reading one .pt file.
   * @defaultValue 50_000_000
   */
  readonly maxPickleOps: number;
}

/** The defaults: generous for real checkpoints, bounded for hostile ones. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxHeaderBytes: 100_000_000,
  maxTensors: 100_000,
  maxTotalBytes: 2 ** 32,
  maxInflatedBytes: 2 ** 32,
  maxPickleOps: 50_000_000,
});

const NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** Defaults overridden by `partial`; each given value must be a non-negative safe integer (else E_BAD_OPTION). */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const out: Record<keyof Limits, number> = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(partial)) {
    if (!NAMES.includes(name as keyof Limits)) {
      throw fail('E_BAD_OPTION', { what: `limits.${name}`, expected: `one of ${NAMES.join(', ')}`, got: 'an unknown limit' });
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw fail('E_BAD_OPTION', { what: `limits.${name}`, expected: 'a non-negative safe integer', got: String(value) });
    }
    out[name as keyof Limits] = value;
  }
  return out;
}

/** Throws E_LIMIT when `value` exceeds the named limit. */
export function checkLimit(limits: Limits, name: keyof Limits, value: number, what: string, at: string): void {
  if (value > limits[name]) {
    throw fail('E_LIMIT', { what, expected: `at most ${limits[name]} (limits.${name})`, got: String(value), at });
  }
}
