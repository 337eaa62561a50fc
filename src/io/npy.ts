/**
 * npy reader and writer, format versions 1.0, 2.0 and 3.0
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *   "\x93NUMPY" | major | minor | header length (u16 in 1.0, u32 in 2.0 / 3.0) | header | data
 * The header is a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`
 * padded with spaces and a newline. It is parsed here as data, never evaluated, and must hold
 * exactly those three keys (numpy's `_read_array_header` rule).
 *
 * Supported descr: bool, u1/i1, i2/i4/i8, u2/u4/u8, f2/f4/f8, little- or big-endian (swapped on
 * read). Object, structured, string, complex and datetime dtypes are E_DTYPE_UNSUPPORTED.
 * `fortran_order: True` data is transposed to row-major on read.
 */
import { DTYPES, dtypeFrom, type DType, type TensorData } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import { Tensor, formatShape, numel } from '../tensor.js';
import { at, concatBytes, littleEndianBytes, readRange, shapeByteLength, typedFromLittleEndian } from './bytes.js';
import { checkLimit, checkRank, resolveLimits, type Limits } from './limits.js';
import { bytesSource, type ByteSource } from './source.js';
import { emptyMetadata, type OpenedTensors } from './weights-index.js';

/** "\x93NUMPY": the first six bytes of every npy file. */
export const NPY_MAGIC: Uint8Array = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** A validated npy header. */
export interface NpyHeader {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  readonly bigEndian: boolean;
  /** Offset of the data from the start of the npy bytes. */
  readonly dataOffset: number;
  /** numel × item size. */
  readonly byteLength: number;
}

/**
 * Length of magic + version + length field + header, from the first bytes (12 are enough).
 * E_TRUNCATED, E_BAD_MAGIC, E_NPY_HEADER for an unknown version, E_LIMIT past `limits.maxHeaderBytes`.
 */
export function npyPreambleLength(first: Uint8Array, where: string, limits: Limits): number {
  if (first.length < 10) {
    throw fail('E_TRUNCATED', { what: 'npy preamble', expected: 'at least 10 bytes', got: String(first.length), at: where });
  }
  if (!NPY_MAGIC.every((b, i) => first[i] === b)) {
    throw fail('E_BAD_MAGIC', { what: 'npy magic', expected: '\\x93NUMPY', got: hexBytes(first.subarray(0, 6)), at: where });
  }
  const major = first[6] as number;
  const minor = first[7] as number;
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw fail('E_NPY_HEADER', { what: 'npy format version', expected: '1.0, 2.0 or 3.0', got: `${major}.${minor}`, at: where });
  }
  if (major > 1 && first.length < 12) {
    throw fail('E_TRUNCATED', { what: 'npy preamble', expected: '12 bytes', got: String(first.length), at: where });
  }
  const view = new DataView(first.buffer, first.byteOffset, first.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  checkLimit(limits, 'maxHeaderBytes', headerLength, 'npy header length', where);
  return (major === 1 ? 10 : 12) + headerLength;
}

/** Parses the preamble (as `npyPreambleLength` measured it) into a validated header. */
export function parseNpyHeader(preamble: Uint8Array, where: string): NpyHeader {
  const major = preamble[6] as number;
  const start = major === 1 ? 10 : 12;
  const raw = preamble.subarray(start);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw fail('E_NPY_HEADER', { what: 'npy 3.0 header', expected: 'UTF-8', got: 'invalid bytes', at: where });
    }
  } else {
    // 1.0 / 2.0 headers are latin1; anything beyond ASCII can only be in names the parser rejects.
    text = new TextDecoder('latin1').decode(raw);
  }
  const dict = parseHeaderDict(text, where);
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw fail('E_NPY_HEADER', { what: 'npy header keys', expected: 'descr, fortran_order, shape', got: keys || 'none', at: where });
  }
  const descr = dict.get('descr') as HeaderValue;
  const fortranOrder = dict.get('fortran_order') as HeaderValue;
  const shape = dict.get('shape') as HeaderValue;
  if (typeof fortranOrder !== 'boolean') throw fail('E_NPY_HEADER', { what: 'fortran_order', expected: 'True or False', got: show(fortranOrder), at: where });
  if (!isTuple(shape)) throw fail('E_NPY_HEADER', { what: 'shape', expected: 'a tuple of non-negative integers', got: show(shape), at: where });
  checkRank(shape.tuple.length, 'npy shape', where);
  for (const d of shape.tuple) {
    if (d < 0) throw fail('E_NPY_HEADER', { what: 'shape', expected: 'non-negative dimensions', got: formatShape(shape.tuple), at: where });
  }
  if (typeof descr !== 'string') {
    throw fail('E_DTYPE_UNSUPPORTED', { what: 'npy descr', expected: 'a simple dtype string such as "<f4"', got: show(descr), at: where });
  }
  const { dtype, bigEndian } = parseDescr(descr, where);
  const byteLength = shapeByteLength(shape.tuple, DTYPES[dtype].itemSize, 'npy data size', where);
  return { dtype, shape: shape.tuple, fortranOrder, bigEndian, dataOffset: preamble.length, byteLength };
}

/** Checks that exactly `header.byteLength` data bytes follow the header. */
export function checkNpyDataLength(header: NpyHeader, available: number, where: string): void {
  if (available < header.byteLength) {
    throw fail('E_TRUNCATED', { what: 'npy data', expected: `${header.byteLength} bytes (${formatShape(header.shape)} ${header.dtype})`, got: String(available), at: where });
  }
  if (available > header.byteLength) {
    throw fail('E_TRAILING_BYTES', { what: 'npy data', expected: `${header.byteLength} bytes (${formatShape(header.shape)} ${header.dtype})`, got: String(available), at: where });
  }
}

/** Data bytes (exactly `header.byteLength`) → row-major, host-order typed array. */
export function decodeNpyData(header: NpyHeader, data: Uint8Array): TensorData {
  const size = DTYPES[header.dtype].itemSize;
  const bytes = header.fortranOrder && header.shape.length > 1 ? fortranToC(data, header.shape, size) : data;
  return typedFromLittleEndian(header.dtype, bytes, header.bigEndian);
}

/**
 * Parses a whole npy file in memory.
 * @see numpy.load
 */
export function parseNpy(bytes: Uint8Array, name = '<bytes>', limits?: Partial<Limits>): Tensor {
  if (!(bytes instanceof Uint8Array)) throw badArgument('parseNpy(bytes)', 'a Uint8Array', bytes);
  if (typeof name !== 'string') throw badArgument('parseNpy(bytes, name)', 'a string', name);
  const opened = openNpy(bytesSource(bytes, name), resolveLimits(limits, bytes.byteLength), 'arr_0');
  return opened.read('arr_0');
}

/** Opens an npy source as a one-tensor table named `tensorName`; data is read on `read`. */
export function openNpy(source: ByteSource, limits: Limits, tensorName: string): OpenedTensors {
  const first = readRange(source, 0, Math.min(12, source.size), 'npy preamble');
  const length = npyPreambleLength(first, source.name, limits);
  const header = parseNpyHeader(readRange(source, 0, length, 'npy header'), source.name);
  checkNpyDataLength(header, source.size - length, at(source.name, length));
  return {
    metadata: emptyMetadata(),
    tensors: new Map([[tensorName, { dtype: header.dtype, shape: header.shape, byteLength: header.byteLength }]]),
    read: () => new Tensor(header.dtype, header.shape, decodeNpyData(header, readRange(source, length, header.byteLength, 'npy data'))),
  };
}

// ---- header literal ---------------------------------------------------------------------------

/** A header literal; `[]` marks a list, which is parsed no further (a structured descr). */
type HeaderValue = string | boolean | number | { readonly tuple: number[] } | [];

function isTuple(v: HeaderValue | undefined): v is { readonly tuple: number[] } {
  return typeof v === 'object' && !Array.isArray(v);
}

/**
 * The subset of Python literals an npy header uses: a dict of quoted keys to strings, True /
 * False, integers (a Python 2 `L` suffix allowed), tuples of integers, and lists (only to
 * recognise structured descr). Whitespace and trailing commas as Python allows them.
 */
function parseHeaderDict(text: string, where: string): Map<string, HeaderValue> {
  let i = 0;
  const error = (expected: string): never => {
    throw fail('E_NPY_HEADER', { what: 'npy header', expected, got: i < text.length ? JSON.stringify(text.slice(i, i + 16)) : 'end of header', at: `${where}, header character ${i}` });
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const punct = (c: string): boolean => {
    space();
    if (text[i] !== c) return false;
    i++;
    return true;
  };
  const str = (): string => {
    space();
    const q = text[i];
    if (q !== "'" && q !== '"') return error('a quoted string');
    const end = text.indexOf(q, i + 1);
    const s = end < 0 ? '' : text.slice(i + 1, end);
    if (end < 0 || s.includes('\\') || s.includes('\n')) return error('a plain quoted string');
    i = end + 1;
    return s;
  };
  const int = (): number => {
    space();
    const m = /^-?[0-9]+L?/.exec(text.slice(i, i + 40));
    if (m === null) return error('an integer');
    const digits = m[0].replace('L', '');
    i += m[0].length;
    const v = Number(digits);
    if (!Number.isSafeInteger(v)) throw fail('E_SIZE_OVERFLOW', { what: 'npy shape', expected: 'dimensions below 2^53', got: digits, at: where });
    return v;
  };
  const tuple = (): number[] => {
    const out: number[] = [];
    if (punct(')')) return out;
    for (;;) {
      out.push(int());
      const comma = punct(',');
      if (punct(')')) {
        if (out.length === 1 && !comma) error("',' in a one-element tuple");
        return out;
      }
      if (!comma) error("',' or ')'");
    }
  };
  const value = (): HeaderValue => {
    space();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (text.startsWith('True', i)) return (i += 4), true;
    if (text.startsWith('False', i)) return (i += 5), false;
    if (c === '(') return i++, { tuple: tuple() };
    if (c === '[') return [];
    return int();
  };

  if (!punct('{')) error("'{'");
  const dict = new Map<string, HeaderValue>();
  while (!punct('}')) {
    const key = str();
    if (dict.has(key)) throw fail('E_NPY_HEADER', { what: 'npy header key', expected: 'unique keys', got: key, at: where });
    if (!punct(':')) error("':'");
    const v = value();
    if (Array.isArray(v)) {
      if (key === 'descr') throw fail('E_DTYPE_UNSUPPORTED', { what: 'npy descr', expected: 'a simple dtype string such as "<f4"', got: 'a structured dtype (list)', at: where });
      error('a string, True, False, an integer or a tuple');
    }
    dict.set(key, v);
    if (!punct(',')) {
      if (!punct('}')) error("',' or '}'");
      break;
    }
  }
  space();
  if (i !== text.length) error('only spaces and a newline after the dict');
  return dict;
}

function show(v: HeaderValue | undefined): string {
  if (v === undefined) return 'nothing';
  return isTuple(v) ? formatShape(v.tuple) : String(v);
}

/** `<f4` → float32, little-endian. `|` and `=` only for one-byte types, where order is moot. */
function parseDescr(descr: string, where: string): { dtype: DType; bigEndian: boolean } {
  const m = /^([<>|=])([biuf])([0-9]+)$/.exec(descr);
  const dtype = m === null ? undefined : dtypeFrom('numpy', `${m[2]}${m[3]}`);
  if (m === null || dtype === undefined) {
    throw fail('E_DTYPE_UNSUPPORTED', { what: 'npy descr', expected: 'b1, u1/2/4/8, i1/2/4/8 or f2/4/8 with a byte order', got: descr, at: where });
  }
  const order = m[1] as string;
  if (DTYPES[dtype].itemSize > 1 && order !== '<' && order !== '>') {
    throw fail('E_NPY_HEADER', { what: 'npy descr byte order', expected: "'<' or '>' for a multi-byte type", got: descr, at: where });
  }
  return { dtype, bigEndian: order === '>' };
}

/** Column-major items of `shape` → row-major, item by item. */
function fortranToC(data: Uint8Array, shape: readonly number[], size: number): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const rank = shape.length;
  const rowStride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) rowStride[d] = (rowStride[d + 1] as number) * (shape[d + 1] as number);
  const idx = new Array<number>(rank).fill(0);
  const n = numel(shape);
  let row = 0;
  // Walk the source in column-major order (first index fastest), tracking the row-major offset.
  for (let k = 0; k < n; k++) {
    const src = k * size;
    const dst = row * size;
    for (let b = 0; b < size; b++) out[dst + b] = data[src + b] as number;
    for (let d = 0; d < rank; d++) {
      idx[d] = (idx[d] as number) + 1;
      row += rowStride[d] as number;
      if ((idx[d] as number) < (shape[d] as number)) break;
      row -= (idx[d] as number) * (rowStride[d] as number);
      idx[d] = 0;
    }
  }
  return out;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

// ---- writer -----------------------------------------------------------------------------------

/** numpy aligns the data to 64 bytes (numpy/lib/format.py, ARRAY_ALIGN). */
const ARRAY_ALIGN = 64;
/** Spare header room numpy ≥ 1.24 leaves for growing the first axis (format.py, GROWTH_AXIS_MAX_DIGITS). */
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * Serialises a tensor as npy, byte-identical to `np.save` of a C-contiguous little-endian array:
 * version 1.0 unless the header needs 2.0. bfloat16 and float8 have no numpy dtype: E_DTYPE_UNSUPPORTED.
 * @see numpy.save
 */
export function saveNpy(tensor: Tensor): Uint8Array<ArrayBuffer> {
  if (!(tensor instanceof Tensor)) throw badArgument('saveNpy(tensor)', 'a Tensor', tensor);
  const row = DTYPES[tensor.dtype];
  if (row.numpy === null) {
    throw fail('E_DTYPE_UNSUPPORTED', { what: 'saveNpy dtype', expected: 'a dtype numpy has', got: tensor.dtype });
  }
  const descr = `${row.itemSize === 1 ? '|' : '<'}${row.numpy}`;
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  if (tensor.shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(tensor.shape[0]).length);
  // format.py `_wrap_header`: hlen counts the final newline; spaces pad to ARRAY_ALIGN (1 to 64 of them).
  const hlen = header.length + 1;
  const padFor = (prefix: number): number => ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
  const v1 = hlen + padFor(10) <= 0xffff;
  const prefix = v1 ? 10 : 12;
  const pad = padFor(prefix);
  const text = `${header}${' '.repeat(pad)}\n`;
  const pre = new Uint8Array(prefix);
  pre.set(NPY_MAGIC);
  pre[6] = v1 ? 1 : 2;
  const view = new DataView(pre.buffer);
  if (v1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  return concatBytes([pre, new TextEncoder().encode(text), littleEndianBytes(tensor.data, row.itemSize)]);
}
