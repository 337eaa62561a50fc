/**
 * Elementwise comparison with a tolerance, the one rule shared by `verify`, `conformance` and the
 * tests (docs/cli.md, "Comparisons"), in the spirit of numpy.isclose / torch.allclose:
 *
 *   |got − expected| ≤ atol + rtol · |expected|
 *
 * except that NaN matches only NaN at the same index and ±Inf only the same infinity (isclose
 * with equal_nan=True). Shapes must be equal; dtypes need not be (values are compared as float64).
 */
import type { DType } from './dtype.js';
import { fail } from './errors.js';
import type { Tensor } from './tensor.js';

/** Absolute and relative tolerance: an element passes when |got − expected| ≤ atol + rtol·|expected|. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/**
 * The element furthest out of tolerance: the largest |got − expected| / (atol + rtol·|expected|),
 * ties (a zero tolerance) broken by the larger |got − expected|.
 */
export interface WorstElement {
  /** Multi-index into the tensor, e.g. `[4, 1, 7]`. */
  readonly index: number[];
  readonly got: number;
  readonly expected: number;
}

/** Result of `compareTensors`. Errors of NaN / ±Inf mismatches count as Infinity. */
export interface CompareResult {
  /** Shapes equal and every element within tolerance. */
  readonly ok: boolean;
  readonly shapeOk: boolean;
  /** max |got − expected|; 0 for empty tensors; Infinity when the shapes differ. */
  readonly maxAbs: number;
  /**
   * max |got − expected| / |expected| over the elements whose |expected| exceeds atol (and is not
   * 0): where the absolute term of the tolerance dominates, a relative error says nothing.
   */
  readonly maxRel: number;
  /**
   * The worst element's error as a fraction of its tolerance, |got − expected| / (atol +
   * rtol·|expected|): below 1 passes ("worst 0.08 of tolerance"); Infinity for a non-zero error
   * against a zero tolerance. 0 for empty tensors; Infinity when the shapes differ.
   */
  readonly worstOfTolerance: number;
  /** Number of elements out of tolerance (every element of `expected` when the shapes differ). */
  readonly mismatches: number;
  /** Absent for empty tensors and when the shapes differ. */
  readonly worst?: WorstElement;
}

/**
 * The default tolerance of a compute dtype: atol 1e-10, rtol 1e-8 for float64; atol 1e-5,
 * rtol 1e-4 for everything else (float32, and narrower weights computed in float32).
 */
export function defaultTolerance(dtype: DType): Tolerance {
  return dtype === 'float64' ? { atol: 1e-10, rtol: 1e-8 } : { atol: 1e-5, rtol: 1e-4 };
}

/**
 * Compares `got` with `expected` elementwise (docs/cli.md, "Comparisons").
 * @see numpy.isclose (with equal_nan=True)
 */
export function compareTensors(got: Tensor, expected: Tensor, tol: Tolerance): CompareResult {
  for (const key of ['atol', 'rtol'] as const) {
    if (!(Number.isFinite(tol[key]) && tol[key] >= 0)) {
      throw fail('E_BAD_OPTION', { what: `tolerance ${key}`, expected: 'a finite number ≥ 0', got: String(tol[key]) });
    }
  }
  const shapeOk = got.shape.length === expected.shape.length && got.shape.every((d, i) => d === expected.shape[i]);
  if (!shapeOk) {
    return { ok: false, shapeOk, maxAbs: Infinity, maxRel: Infinity, worstOfTolerance: Infinity, mismatches: expected.numel };
  }
  const g = got.toFloat64();
  const e = expected.toFloat64();
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let worstAt = -1;
  let worstScore = -1;
  let worstAbs = -1;
  for (let i = 0; i < e.length; i++) {
    const a = g[i] as number;
    const b = e[i] as number;
    const abs = elementError(a, b);
    const finite = Number.isFinite(b);
    // A NaN or infinite expected value passes only exactly (abs 0), whatever the tolerance.
    const bound = finite ? tol.atol + tol.rtol * Math.abs(b) : 0;
    if (abs > bound) mismatches++;
    if (abs > maxAbs) maxAbs = abs;
    if (finite && b !== 0 && Math.abs(b) > tol.atol) maxRel = Math.max(maxRel, abs / Math.abs(b));
    // Normalised by the bound: the worst element is the one furthest out of tolerance.
    const score = abs === 0 ? 0 : bound > 0 ? abs / bound : Infinity;
    if (score > worstScore || (score === worstScore && abs > worstAbs)) {
      worstScore = score;
      worstAbs = abs;
      worstAt = i;
    }
  }
  const result = { ok: mismatches === 0, shapeOk, maxAbs, maxRel, worstOfTolerance: Math.max(0, worstScore), mismatches };
  if (worstAt < 0) return result;
  return { ...result, worst: { index: unravel(worstAt, expected.shape), got: g[worstAt] as number, expected: e[worstAt] as number } };
}

/** |a − b| for finite values; 0 when both are NaN or the same infinity; Infinity for any other non-finite pair. */
function elementError(a: number, b: number): number {
  if (Number.isFinite(a) && Number.isFinite(b)) return Math.abs(a - b);
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  return a === b ? 0 : Infinity;
}

/** Flat row-major offset → multi-index. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    index[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  return index;
}
