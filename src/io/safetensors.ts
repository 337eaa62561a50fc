/**
 * safetensors reader and writer. Layout (https://github.com/huggingface/safetensors#format):
 *   u64 little-endian N | N bytes of JSON header (may be padded with spaces) | data buffer
 * The header maps names to `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the
 * data buffer) plus an optional `__metadata__` string → string map.
 *
 * Validated in one pass before any tensor byte is read, as `read_metadata` / `validate` in
 * safetensors/src/tensor.rs do: header size cap (100 MB), strict JSON (json-header.ts), known
 * dtypes, end − begin = numel × item size with checked arithmetic, and the offsets sorted must
 * tile the data buffer exactly from 0 — no gap, no overlap, no trailing bytes. Each entry is
 * checked as the parser reaches it, and the tensor count against `limits.maxTensors` at each one. Tensors may be laid
 * out in any order relative to the JSON keys; the state_dict keeps the header's key order.
 */
import { DTYPES, dtypeFrom, type DType } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import { Tensor, formatShape } from '../tensor.js';
import { at, ByteReader, concatBytes, littleEndianBytes, readRange, shapeByteLength, typedFromLittleEndian } from './bytes.js';
import { decodeJsonHeader, parseJsonText, type JsonValue } from './json-header.js';
import { checkLimit, checkRank, MAX_RANK, resolveLimits, type Limits } from './limits.js';
import { bytesSource, type ByteSource } from './source.js';
import type { OpenedTensors, TensorEntry } from './weights-index.js';
import { tensorEntries } from './writer-args.js';

/** The format's own cap on the header (safetensors/src/tensor.rs, MAX_HEADER_SIZE). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

const METADATA_KEY = '__metadata__';
const TENSOR_FIELDS = ['dtype', 'shape', 'data_offsets'];

/** One tensor of a safetensors header: offsets are absolute in the source. */
interface Slot extends TensorEntry {
  readonly begin: number;
  readonly end: number;
}

/** Reads and validates the header of a safetensors source; tensor bytes are read by `read(name)`. */
export function openSafetensors(source: ByteSource, limits: Limits): OpenedTensors {
  const head = new ByteReader(readRange(source, 0, 8, 'safetensors header length'), source.name);
  const low = head.u32('safetensors header length');
  const high = head.u32('safetensors header length');
  const n = high * 2 ** 32 + low;
  if (n > SAFETENSORS_MAX_HEADER) {
    throw fail('E_HEADER_TOO_LARGE', { what: 'safetensors header length', expected: `at most ${SAFETENSORS_MAX_HEADER}`, got: String(BigInt(high) * 2n ** 32n + BigInt(low)), at: at(source.name, 0) });
  }
  checkLimit(limits, 'maxHeaderBytes', n, 'safetensors header length', at(source.name, 0));
  const where = `${source.name} header`;
  // The bytes are dropped once decoded: the parse holds the text only.
  const text = headerText(readRange(source, 8, n, 'safetensors header'), where, at(source.name, 8));
  const dataStart = 8 + n;
  // No prototype: keys such as `__proto__` and `toString` are data, never the object's methods.
  const metadata = Object.create(null) as Record<string, string>;
  const slots = new Map<string, Slot>();
  const root = parseJsonText(text, where, (name, value) => {
    if (name === METADATA_KEY) {
      if (!(value instanceof Map)) throw fail('E_HEADER_JSON', { what: METADATA_KEY, expected: 'an object of strings', got: describe(value), at: where });
      checkLimit(limits, 'maxTensors', value.size, `number of ${METADATA_KEY} entries`, where);
      for (const [k, v] of value) {
        if (typeof v !== 'string') throw fail('E_HEADER_JSON', { what: `${METADATA_KEY}["${k}"]`, expected: 'a string', got: describe(v), at: where });
        Object.defineProperty(metadata, k, { value: v, enumerable: true });
      }
      return;
    }
    slots.set(name, readSlot(name, value, dataStart, where));
    checkLimit(limits, 'maxTensors', slots.size, 'number of tensors', where);
  }, Math.max(limits.maxTensors, MAX_RANK));
  if (!(root instanceof Map)) throw fail('E_HEADER_JSON', { what: 'safetensors header', expected: 'an object', got: describe(root), at: where });
  Object.freeze(metadata);

  // The offsets, sorted, must tile [0, data length) exactly (tensor.rs `validate`).
  const sorted = [...slots.entries()].sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  let covered = dataStart;
  for (const [name, s] of sorted) {
    if (s.begin !== covered) {
      throw fail('E_OFFSET_MISMATCH', {
        what: `data_offsets of "${name}"`,
        expected: `to begin at ${covered - dataStart} (${s.begin < covered ? 'no overlap' : 'no gap'})`,
        got: `[${s.begin - dataStart}, ${s.end - dataStart}]`,
        at: where,
      });
    }
    covered = s.end;
  }
  if (covered > source.size) {
    throw fail('E_TRUNCATED', { what: 'safetensors data buffer', expected: `${covered - dataStart} bytes`, got: `${source.size - dataStart}`, at: at(source.name, dataStart) });
  }
  if (covered < source.size) {
    throw fail('E_TRAILING_BYTES', { what: 'safetensors data buffer', expected: `${covered - dataStart} bytes (the tensors' extent)`, got: `${source.size - dataStart}`, at: at(source.name, covered) });
  }

  const tensors = new Map([...slots].map(([name, { dtype, shape, byteLength }]) => [name, { dtype, shape, byteLength }]));
  return {
    metadata,
    tensors,
    read(name) {
      const s = slots.get(name) as Slot;
      const bytes = readRange(source, s.begin, s.end - s.begin, `tensor "${name}"`);
      return new Tensor(s.dtype, s.shape, typedFromLittleEndian(s.dtype, bytes));
    },
  };
}

/**
 * Parses a whole safetensors file in memory into a name → Tensor map (header order).
 * @see safetensors.torch.load
 */
export function parseSafetensors(bytes: Uint8Array, limits?: Partial<Limits>): Map<string, Tensor> {
  if (!(bytes instanceof Uint8Array)) throw badArgument('parseSafetensors(bytes)', 'a Uint8Array', bytes);
  const opened = openSafetensors(bytesSource(bytes), resolveLimits(limits, bytes.byteLength));
  return new Map([...opened.tensors.keys()].map((name) => [name, opened.read(name)]));
}

/** The header's text; it must start with '{' (no padding before it, no byte-order mark). */
function headerText(bytes: Uint8Array, where: string, first: string): string {
  if (bytes[0] !== 0x7b) {
    throw fail('E_HEADER_JSON', { what: 'safetensors header', expected: "to start with '{'", got: bytes.length === 0 ? 'an empty header' : `byte 0x${(bytes[0] as number).toString(16)}`, at: first });
  }
  return decodeJsonHeader(bytes, where);
}

function readSlot(name: string, value: JsonValue, dataStart: number, where: string): Slot {
  const what = `header entry "${name}"`;
  if (!(value instanceof Map)) throw fail('E_HEADER_JSON', { what, expected: 'an object', got: describe(value), at: where });
  const fields = [...value.keys()];
  if (fields.length !== 3 || !TENSOR_FIELDS.every((f) => value.has(f))) {
    throw fail('E_HEADER_JSON', { what, expected: 'exactly the keys dtype, shape, data_offsets', got: fields.join(', ') || 'no keys', at: where });
  }
  const dtypeName = value.get('dtype');
  if (typeof dtypeName !== 'string') throw fail('E_HEADER_JSON', { what: `dtype of "${name}"`, expected: 'a string', got: describe(dtypeName ?? null), at: where });
  const dtype: DType | undefined = dtypeFrom('safetensors', dtypeName);
  if (dtype === undefined) {
    throw fail('E_DTYPE_UNSUPPORTED', { what: `dtype of "${name}"`, expected: 'BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64, F8_E4M3 or F8_E5M2', got: dtypeName, at: where });
  }
  const shape = integers(value.get('shape') ?? null, `shape of "${name}"`, where);
  checkRank(shape.length, `"${name}"`, where);
  const offsets = integers(value.get('data_offsets') ?? null, `data_offsets of "${name}"`, where);
  const [begin, end] = offsets as [number, number];
  if (offsets.length !== 2 || begin > end) {
    throw fail('E_HEADER_JSON', { what: `data_offsets of "${name}"`, expected: '[begin, end] with begin ≤ end', got: JSON.stringify(offsets), at: where });
  }
  const byteLength = shapeByteLength(shape, DTYPES[dtype].itemSize, `byte length of "${name}"`, where);
  if (end - begin !== byteLength) {
    throw fail('E_OFFSET_MISMATCH', {
      what: `data_offsets of "${name}"`,
      expected: `[${begin}, ${begin + byteLength}] (${formatShape(shape)} ${dtypeName})`,
      got: `[${begin}, ${end}]`,
      at: where,
    });
  }
  return { dtype, shape, byteLength, begin: dataStart + begin, end: dataStart + end };
}

function integers(value: JsonValue, what: string, where: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && v >= 0)) {
    throw fail('E_HEADER_JSON', { what, expected: 'an array of non-negative integers', got: describe(value), at: where });
  }
  return value as number[];
}

function describe(value: JsonValue): string {
  if (value instanceof Map) return 'an object';
  if (Array.isArray(value)) {
    const shown = value.slice(0, 16).map((v) => (v instanceof Map ? '{…}' : Array.isArray(v) ? '[…]' : JSON.stringify(v)));
    return `[${shown.join(', ')}${value.length > 16 ? `, … (${value.length} items)` : ''}]`;
  }
  return JSON.stringify(value);
}

// ---- writer -----------------------------------------------------------------------------------

/** Header entries are aligned so the data buffer starts on an 8-byte boundary, as the official writer does. */
const HEADER_ALIGN = 8;

/**
 * Serialises tensors (in iteration order, data laid out in the same order) and optional string
 * metadata to safetensors bytes. Byte-reproducible: the same input gives the same bytes.
 * @see safetensors.torch.save
 */
export function saveSafetensors(tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>, metadata?: Readonly<Record<string, string>>): Uint8Array<ArrayBuffer> {
  const entries = tensorEntries('saveSafetensors', tensors);
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) throw badArgument('saveSafetensors(tensors, metadata)', 'an object of strings, or nothing', metadata);
  const parts: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const fields: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw badArgument(`saveSafetensors metadata[${JSON.stringify(k)}]`, 'a string', v);
      fields.push(`${jsonString(k, 'metadata key')}:${jsonString(v, `metadata["${k}"]`)}`);
    }
    parts.push(`"${METADATA_KEY}":{${fields.join(',')}}`);
  }
  let offset = 0;
  const data: Uint8Array[] = [];
  for (const [name, t] of entries) {
    if (name === METADATA_KEY) throw fail('E_BAD_OPTION', { what: 'tensor name', expected: `not "${METADATA_KEY}"`, got: name });
    const n = t.data.byteLength;
    parts.push(`${jsonString(name, 'tensor name')}:{"dtype":"${DTYPES[t.dtype].safetensors}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + n}]}`);
    data.push(littleEndianBytes(t.data, DTYPES[t.dtype].itemSize));
    offset += n;
  }
  let header = `{${parts.join(',')}}`;
  const encoded = new TextEncoder().encode(header);
  header += ' '.repeat((HEADER_ALIGN - (encoded.length % HEADER_ALIGN)) % HEADER_ALIGN);
  const headerBytes = new TextEncoder().encode(header);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setUint32(0, headerBytes.length, true);
  return concatBytes([prefix, headerBytes, ...data]);
}

/** JSON string literal; lone surrogates cannot round-trip through UTF-8, so they are refused. */
function jsonString(s: string, what: string): string {
  if (/\p{Surrogate}/u.test(s)) throw fail('E_BAD_OPTION', { what, expected: 'a string without lone surrogates', got: JSON.stringify(s) });
  return JSON.stringify(s);
}
