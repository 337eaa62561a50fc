/**
 * One error class for everything rnnport rejects. A `code` per way input can be wrong (not per
 * format); codes are part of the semver contract (the README's error table lists them).
 * Messages are rendered in one place from `{ what, expected, got, at }`: each field clipped and
 * its control characters escaped, so a message is one printable line whatever a file holds.
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
  'E_INDEX_OUT_OF_RANGE',
  'E_HIDDEN_SHAPE',
  'E_LENGTHS',
  'E_LENGTHS_NOT_SORTED',
  'E_TOTAL_LENGTH',
  'E_EMPTY_SEQUENCE',
  'E_BAD_OPTION',
  'E_BAD_ARGUMENT',
  'E_EXPECTED_SHAPE',
  'E_MISMATCH',
  'E_CASE_FORMAT',
  'E_UNSUPPORTED',
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

/** Longest field of a message, in UTF-16 units: a name from a file may be megabytes long. */
export const MAX_MESSAGE_FIELD = 1000;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control characters as visible escapes: C0 (NUL, ESC, newline, …), DEL, C1 (0x80–0x9F), the
 * line / paragraph separators and the bidirectional overrides, which reorder or hide text on a
 * terminal. Everything else is kept. `\n` → `\\n`, ESC → `\\x1b`, U+202E → `\\u{202e}`.
 * The one escaping function of rnnport: messages and the CLI's output use it.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED_ESCAPES[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `text` cut to at most `max` UTF-16 units (plus an ellipsis saying how much was left out). */
export function clip(text: string, max: number = MAX_MESSAGE_FIELD): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max; // never split a surrogate pair
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** Renders a detail as `what: expected X, got Y at Z`, each field clipped and escaped. */
export function formatDetail(detail: ErrorDetail): string {
  const field = (s: string): string => escapeControl(clip(s));
  const at = detail.at !== undefined && detail.at !== '' ? ` at ${field(detail.at)}` : '';
  return `${field(detail.what)}: expected ${field(detail.expected)}, got ${field(detail.got)}${at}`;
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

/** A value as a message names it: `null`, `undefined`, `42`, `"text"`, `an array`, `an object (Map)`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return clip(JSON.stringify(value), 80);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return tag === 'Object' ? 'an object' : `an object (${tag})`;
}

/**
 * A public function given the wrong kind of value: E_BAD_ARGUMENT naming the API and the
 * argument, e.g. `loadStateDict(source): expected a Uint8Array, ArrayBuffer, Blob or Response, got null`.
 */
export function badArgument(api: string, expected: string, value: unknown): RnnportError {
  return new RnnportError('E_BAD_ARGUMENT', { what: api, expected, got: describeValue(value) });
}

/** Shorthand used by loaders and checks: `throw fail('E_TRUNCATED', { what, expected, got, at })`. */
export function fail(code: RnnportErrorCode, detail: ErrorDetail): RnnportError {
  return new RnnportError(code, detail);
}
