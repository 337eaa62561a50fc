/**
 * Caller-set limits on untrusted input, with safe defaults. Every size read from a file is
 * checked against the bytes present and against these limits before anything is allocated;
 * exceeding a limit is `E_LIMIT`.
 *
 * The two byte limits scale with the source: unless the caller sets them, a source of n bytes
 * may materialise and inflate at most max(256 MiB, 8 × n) bytes each. A file of a few KB that
 * declares gigabytes (a deflate bomb, a stride-0 view of one element) is refused before anything
 * is allocated, and a real checkpoint of any size loads.
 */
import { badArgument, fail } from '../errors.js';

/** Limits applied while opening and loading weights. */
export interface Limits {
  /**
   * Largest safetensors / npy header and largest .pt pickle, in bytes. The safetensors format
   * itself caps its header at 100 MB.
   * @defaultValue 100_000_000
   */
  readonly maxHeaderBytes: number;
  /**
   * Most tensors (or archive members, or .npy files) one source may declare.
   * @defaultValue 100_000
   */
  readonly maxTensors: number;
  /**
   * Most tensor bytes one `load()` may materialise: a tensor counts its full size (numel × item
   * size), so a strided or stride-0 view counts what it will occupy, not its storage.
   * @defaultValue max(256 MiB, 8 × the source's size)
   */
  readonly maxTotalBytes: number;
  /**
   * Most bytes inflated from one source's deflated zip members, all members together (npz,
   * .pt archives), for as long as the source is open.
   * @defaultValue max(256 MiB, 8 × the source's size)
   */
  readonly maxInflatedBytes: number;
  /**
   * Most pickle opcodes executed while reading one .pt file (each opcode is at least one byte,
   * so a pickle can never run more opcodes than it has bytes).
   * @defaultValue 50_000_000
   */
  readonly maxPickleOps: number;
}

/** The floor of the two scaled byte limits (256 MiB). */
export const MIN_SCALED_BYTES: number = 256 * 2 ** 20;
/** Bytes the scaled limits allow per byte of the source. */
export const SCALED_BYTES_PER_SOURCE_BYTE = 8;

/**
 * The defaults for a source of unknown (or small) size: generous for real checkpoints, bounded
 * for hostile ones. `maxTotalBytes` and `maxInflatedBytes` grow to 8 × the source's size for a
 * source larger than 32 MiB (see `resolveLimits`).
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxHeaderBytes: 100_000_000,
  maxTensors: 100_000,
  maxTotalBytes: MIN_SCALED_BYTES,
  maxInflatedBytes: MIN_SCALED_BYTES,
  maxPickleOps: 50_000_000,
});

const NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/**
 * The limits for a source of `sourceSize` bytes: the defaults (the byte limits scaled to the
 * source) overridden by `partial`. A given value must be a non-negative safe integer
 * (E_BAD_OPTION; a value of the wrong kind, or `limits` that is not an object, E_BAD_ARGUMENT).
 */
export function resolveLimits(partial?: Partial<Limits>, sourceSize = 0): Limits {
  const scaled = Math.max(MIN_SCALED_BYTES, SCALED_BYTES_PER_SOURCE_BYTE * sourceSize);
  const out: Record<keyof Limits, number> = { ...DEFAULT_LIMITS, maxTotalBytes: scaled, maxInflatedBytes: scaled };
  if (partial === undefined) return scaled === MIN_SCALED_BYTES ? DEFAULT_LIMITS : out;
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) throw badArgument('options.limits', 'an object of limits', partial);
  for (const [name, value] of Object.entries(partial)) {
    if (!NAMES.includes(name as keyof Limits)) {
      throw fail('E_BAD_OPTION', { what: `limits.${name}`, expected: `one of ${NAMES.join(', ')}`, got: 'an unknown limit' });
    }
    if (value === undefined) continue;
    if (typeof value !== 'number') throw badArgument(`options.limits.${name}`, 'a number', value);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw fail('E_BAD_OPTION', { what: `limits.${name}`, expected: 'a non-negative safe integer', got: String(value) });
    }
    out[name as keyof Limits] = value;
  }
  return out;
}

/** Most dimensions of a tensor: numpy's own maximum (NPY_MAXDIMS), so every tensor can be saved as .npy. */
export const MAX_RANK = 64;

/** E_LIMIT for a shape of more than MAX_RANK dimensions. */
export function checkRank(rank: number, what: string, at: string): void {
  if (rank > MAX_RANK) throw fail('E_LIMIT', { what: `rank of ${what}`, expected: `at most ${MAX_RANK} dimensions`, got: String(rank), at });
}

/** Throws E_LIMIT when `value` exceeds the named limit. */
export function checkLimit(limits: Limits, name: keyof Limits, value: number, what: string, at: string): void {
  if (value > limits[name]) {
    throw fail('E_LIMIT', { what, expected: `at most ${limits[name]} (limits.${name})`, got: String(value), at });
  }
}
