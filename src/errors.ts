/**
 * One error class for everything rnnport rejects. A `code` per way input can be wrong (not per
 * format); codes are part of the semver contract (../shared/CONTRACTS.md, "Error codes").
 * Messages are rendered in one place from `{ what, expected, got, at }`.
 */

/** Every error code rnnport can raise. Listed in the README; stable across minor versions. */
export const RNNPORT_ERROR_CODES = [
  'E_TRUNCATED',
  'E_BAD_MAGIC',
  'E_HEADER_TOO_LARGE',
  'E_HEADER_JSON',
  'E_DUPLICATE_KEY',
  'E_SIZE_OVERFLOW',
  'E_OFFSET_MISMATCH',
  'E_TRAILING_BYTES',
  'E_DTYPE_UNSUPPORTED',
  'E_NPY_HEADER',
  'E_ZIP_ENTRY',
  'E_CRC',
  'E_PICKLE_GLOBAL',
  'E_PICKLE_OPCODE',
  'E_STORAGE_BOUNDS',
  'E_LIMIT',
  'E_MISSING_PARAMETER',
  'E_UNEXPECTED_PARAMETER',
  'E_PARAMETER_SHAPE',
  'E_NO_MODULE',
  'E_AMBIGUOUS_MODULE',
  'E_KEY_NOT_FOUND',
  'E_INPUT_RANK',
  'E_INPUT_SIZE',
  'E_INPUT_DTYPE',
  'E_HIDDEN_SHAPE',
  'E_LENGTHS',
  'E_LENGTHS_NOT_SORTED',
  'E_TOTAL_LENGTH',
  'E_EMPTY_SEQUENCE',
  'E_BAD_OPTION',
  'E_USAGE',
  'E_IO',
  'E_DISPOSED',
  'E_EXPORT_UNSUPPORTED',
  'E_INTERNAL',
] as const;

/** A stable error code: `E_` + SCREAMING_SNAKE. */
export type RnnportErrorCode = (typeof RNNPORT_ERROR_CODES)[number];

/** What was wrong, in data: the message is rendered from these fields. */
export interface ErrorDetail {
  /** The thing that was checked, e.g. `data_offsets of "rnn.weight_ih_l0"` or `input.shape[2]`. */
  readonly what: string;
  /** What rnnport expected, e.g. `[0, 96] (12×2 F32)` or `10 (input_size)`. */
  readonly expected: string;
  /** What it found. */
  readonly got: string;
  /** Where: a file and byte offset, a tensor key, or an argument path. */
  readonly at?: string;
}

const BRAND = Symbol.for('rnnport.RnnportError');

/** Renders a detail as `what: expected X, got Y at Z`. */
export function formatDetail(detail: ErrorDetail): string {
  const at = detail.at !== undefined && detail.at !== '' ? ` at ${detail.at}` : '';
  return `${detail.what}: expected ${detail.expected}, got ${detail.got}${at}`;
}

/** The one error class rnnport throws for rejected input. Tests assert `code` and `detail`. */
export class RnnportError extends Error {
  override readonly name = 'RnnportError';
  readonly code: RnnportErrorCode;
  readonly detail: ErrorDetail;

  constructor(code: RnnportErrorCode, detail: ErrorDetail, options?: ErrorOptions) {
    super(formatDetail(detail), options);
    this.code = code;
    this.detail = detail;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for an RnnportError, also one created in another realm (worker, iframe, vm context). */
export function isRnnportError(value: unknown): value is RnnportError {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as Record<symbol, unknown>)[BRAND] === true || value instanceof RnnportError)
  );
}

/** Shorthand used by loaders and checks: `throw fail('E_TRUNCATED', { what, expected, got, at })`. */
export function fail(code: RnnportErrorCode, detail: ErrorDetail): RnnportError {
  return new RnnportError(code, detail);
}
