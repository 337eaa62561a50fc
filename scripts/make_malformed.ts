/**
 * The malformed-input corpus: test/malformed/<format>/<name>.<ext> plus test/malformed/cases.json
 * ([{ file, code, why, limits? }]), one file per rule of the loaders, each built from a valid file
 * by one named mutation. Deterministic: test/malformed/malformed.test.ts rebuilds the corpus and
 * compares it with the committed files.
 *
 *   npx esbuild scripts/make_malformed.ts --bundle --platform=node --format=esm --outfile=/tmp/make_malformed.mjs && node /tmp/make_malformed.mjs
 * (Node 20 cannot run TypeScript itself; esbuild is a dev dependency.) Run from the repository root.
 *
 * The builders (safetensors with a raw header, npy with a raw header, zip with every field
 * controllable) are exported for the unit tests.
 */
import { deflateSync } from 'fflate';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RnnportErrorCode } from '../src/errors.js';
import type { Limits } from '../src/io/limits.js';
import { crc32 } from '../src/io/bytes.js';

const enc = new TextEncoder();

/** Concatenation of byte arrays and strings (UTF-8). */
export function bytes(...parts: (Uint8Array | string | number[])[]): Uint8Array<ArrayBuffer> {
  const arrays = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) out.set(a, (o += a.length) - a.length);
  return out;
}

function le(value: number | bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt(value);
  for (let i = 0; i < size; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** safetensors bytes from a raw header (string or bytes), the data buffer and an optional length override. */
export function safetensorsRaw(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), length?: number | bigint): Uint8Array {
  const h = typeof header === 'string' ? enc.encode(header) : header;
  return bytes(le(length ?? h.length, 8), h, data);
}

/** npy bytes from a raw header text (padded to 64 with spaces and a newline unless `raw`). */
export function npyRaw(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), opts: { major?: number; minor?: number; length?: number; raw?: boolean } = {}): Uint8Array {
  const major = opts.major ?? 1;
  const prefix = major === 1 ? 10 : 12;
  let h = typeof header === 'string' ? enc.encode(header) : header;
  if (opts.raw !== true) {
    const pad = 64 - ((prefix + h.length + 1) % 64);
    h = bytes(h, ' '.repeat(pad % 64), '\n');
  }
  const len = opts.length ?? h.length;
  return bytes([0x93], 'NUMPY', [major, opts.minor ?? 0], le(len, major === 1 ? 2 : 4), h, data);
}

/** One member of `buildZip`; every field that a malformed archive lies about can be overridden. */
export interface ZipMemberSpec {
  name: string;
  data: Uint8Array;
  method?: number;
  /** Data descriptor after the data (flag bit 3), with or without its signature. */
  descriptor?: 'signature' | 'bare';
  zip64?: boolean;
  flags?: number;
  /** Bytes stored as the member's data instead of data (deflated or not). */
  payload?: Uint8Array;
  crc?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  localName?: string;
  localCompressedSize?: number;
  descriptorCrc?: number;
  localHeaderOffset?: number;
  nameBytes?: Uint8Array;
}

/** Archive-level options of `buildZip`. */
export interface ZipSpec {
  zip64End?: boolean;
  comment?: string;
  count?: number;
  cdOffsetDelta?: number;
  disk?: number;
  eocd64Offset?: number;
}

/** A zip archive built field by field (APPNOTE.TXT), for valid and malformed fixtures alike. */
export function buildZip(members: readonly ZipMemberSpec[], spec: ZipSpec = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method ?? 0;
    const payload = m.payload ?? (method === 8 ? deflateSync(m.data) : m.data);
    const crc = m.crc ?? crc32(m.data);
    const csize = m.compressedSize ?? payload.length;
    const usize = m.uncompressedSize ?? m.data.length;
    const name = m.nameBytes ?? enc.encode(m.name);
    const localName = m.localName === undefined ? name : enc.encode(m.localName);
    const flags = (m.flags ?? 0) | (m.descriptor ? 8 : 0);
    const deferred = m.descriptor !== undefined;
    const z = m.zip64 === true;
    const localExtra = z ? bytes(le(1, 2), le(16, 2), le(deferred ? 0 : usize, 8), le(deferred ? 0 : (m.localCompressedSize ?? csize), 8)) : new Uint8Array(0);
    const sz32 = (v: number): Uint8Array => le(z ? 0xffffffff : deferred ? 0 : v, 4);
    const local = bytes(le(0x04034b50, 4), le(z ? 45 : 20, 2), le(flags, 2), le(method, 2), le(0, 2), le(0x21, 2), le(deferred ? 0 : crc, 4),
      sz32(m.localCompressedSize ?? csize), sz32(usize), le(localName.length, 2), le(localExtra.length, 2), localName, localExtra);
    const descriptor = !deferred ? new Uint8Array(0)
      : bytes(m.descriptor === 'signature' ? le(0x08074b50, 4) : [], le(m.descriptorCrc ?? crc, 4), le(csize, z ? 8 : 4), le(usize, z ? 8 : 4));
    const lho = m.localHeaderOffset ?? offset;
    const centralExtra = z ? bytes(le(1, 2), le(24, 2), le(usize, 8), le(csize, 8), le(lho, 8)) : new Uint8Array(0);
    const c32 = (v: number): Uint8Array => le(z ? 0xffffffff : v, 4);
    centrals.push(bytes(le(0x02014b50, 4), le(z ? 45 : 20, 2), le(z ? 45 : 20, 2), le(flags, 2), le(method, 2), le(0, 2), le(0x21, 2), le(crc, 4),
      c32(csize), c32(usize), le(name.length, 2), le(centralExtra.length, 2), le(0, 2), le(0, 2), le(0, 2), le(0, 4), c32(lho), name, centralExtra));
    locals.push(local, payload, descriptor);
    offset += local.length + payload.length + descriptor.length;
  }
  const cd = bytes(...centrals);
  const count = spec.count ?? members.length;
  const cdOffset = offset + (spec.cdOffsetDelta ?? 0);
  const comment = enc.encode(spec.comment ?? '');
  const disk = spec.disk ?? 0;
  const tail: Uint8Array[] = [];
  if (spec.zip64End === true) {
    const eocd64At = offset + cd.length;
    tail.push(bytes(le(0x06064b50, 4), le(44, 8), le(45, 2), le(45, 2), le(disk, 4), le(0, 4), le(count, 8), le(count, 8), le(cd.length, 8), le(cdOffset, 8)));
    tail.push(bytes(le(0x07064b50, 4), le(0, 4), le(spec.eocd64Offset ?? eocd64At, 8), le(1, 4)));
    tail.push(bytes(le(0x06054b50, 4), le(0xffff, 2), le(0xffff, 2), le(0xffff, 2), le(0xffff, 2), le(0xffffffff, 4), le(0xffffffff, 4), le(comment.length, 2), comment));
  } else {
    tail.push(bytes(le(0x06054b50, 4), le(disk, 2), le(0, 2), le(count, 2), le(count, 2), le(cd.length, 4), le(cdOffset, 4), le(comment.length, 2), comment));
  }
  return bytes(...locals, cd, ...tail);
}

// ---- the corpus -------------------------------------------------------------------------------

/** One malformed file: where it goes, the code it must raise, the rule it breaks. */
export interface MalformedCase {
  readonly file: string;
  readonly code: RnnportErrorCode;
  readonly why: string;
  readonly limits?: Partial<Limits>;
  readonly bytes: Uint8Array;
}

const F32x4 = new Uint8Array(16).fill(0x3f);
const ST_OK = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
const NPY_OK = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
const npyOk = npyRaw(NPY_OK, F32x4);

/** Every malformed case, in a fixed order. */
export function buildCorpus(): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (file: string, code: RnnportErrorCode, why: string, data: Uint8Array, limits?: Partial<Limits>): void => {
    cases.push(limits === undefined ? { file, code, why, bytes: data } : { file, code, why, limits, bytes: data });
  };
  const st = (name: string, code: RnnportErrorCode, why: string, header: string | Uint8Array, data = F32x4, length?: number | bigint): void =>
    add(`safetensors/${name}.safetensors`, code, why, safetensorsRaw(header, data, length));
  st('header_too_large', 'E_HEADER_TOO_LARGE', 'header length above the format cap of 100 MB', ST_OK, F32x4, 100_000_001);
  st('header_length_u64_max', 'E_HEADER_TOO_LARGE', 'header length 2^64 − 1', ST_OK, F32x4, 2n ** 64n - 1n);
  st('header_beyond_file', 'E_TRUNCATED', 'header length larger than the file', ST_OK, new Uint8Array(0), 4000);
  st('header_invalid_utf8', 'E_HEADER_JSON', 'header bytes are not UTF-8', bytes('{"a\xff', [0xc3, 0x28], '":1}'));
  st('header_bom', 'E_HEADER_JSON', 'header starts with a UTF-8 byte-order mark', bytes([0xef, 0xbb, 0xbf], ST_OK));
  st('duplicate_tensor_key', 'E_DUPLICATE_KEY', 'the same tensor name twice (JSON.parse would keep the last)', '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}');
  st('duplicate_metadata_key', 'E_DUPLICATE_KEY', 'the same __metadata__ key twice', `{"__metadata__":{"k":"1","k":"2"},${ST_OK.slice(1)}`);
  st('offset_not_integer', 'E_HEADER_JSON', 'a data offset written 16.0', ST_OK.replace('[8,16]', '[8,16.0]'));
  st('offset_exponent', 'E_HEADER_JSON', 'a data offset written 1.6e1', ST_OK.replace('[8,16]', '[8,1.6e1]'));
  st('shape_negative', 'E_HEADER_JSON', 'a negative dimension', ST_OK.replace('"shape":[2],"data_offsets":[0,8]', '"shape":[-2],"data_offsets":[0,8]'));
  st('offset_unsafe_integer', 'E_SIZE_OVERFLOW', 'a data offset past 2^53 − 1', ST_OK.replace('[8,16]', '[8,9007199254740993]'));
  st('shape_product_overflow', 'E_SIZE_OVERFLOW', 'numel × item size past 2^53 − 1', ST_OK.replace('"shape":[2],"data_offsets":[0,8]', '"shape":[4503599627370496,4],"data_offsets":[0,8]'));
  st('trailing_garbage', 'E_HEADER_JSON', 'non-space bytes after the JSON object', `${ST_OK}x`);
  st('nul_padding', 'E_HEADER_JSON', 'header padded with NUL instead of spaces', bytes(ST_OK, [0, 0, 0]));
  st('deep_nesting', 'E_HEADER_JSON', 'nesting 20000 deep must neither recurse nor be accepted', `{"__metadata__":{"k":${'['.repeat(20000)}${']'.repeat(20000)}}}`);
  st('lone_surrogate', 'E_HEADER_JSON', 'a \\ud800 escape with no low surrogate', ST_OK.replace('"a"', '"\\ud800"'));
  st('raw_control_char', 'E_HEADER_JSON', 'a raw newline inside a string', ST_OK.replace('"a"', '"a\nb"'));
  st('unterminated_string', 'E_HEADER_JSON', 'the header ends inside a string', '{"a":{"dtype":"F32');
  st('header_not_json_object_start', 'E_HEADER_JSON', 'header must start with {', ` ${ST_OK}`);
  st('dtype_f4_unsupported', 'E_DTYPE_UNSUPPORTED', 'sub-byte F4 is not supported', ST_OK.replace('"F32","shape":[2]', '"F4","shape":[16]'));
  st('dtype_unknown', 'E_DTYPE_UNSUPPORTED', 'a dtype the format does not define', ST_OK.replace('"dtype":"F32","shape":[2],"data_offsets":[0,8]', '"dtype":"Q32","shape":[2],"data_offsets":[0,8]'));
  st('dtype_not_string', 'E_HEADER_JSON', 'dtype must be a string', ST_OK.replace('"dtype":"F32","shape":[2],"data_offsets":[0,8]', '"dtype":32,"shape":[2],"data_offsets":[0,8]'));
  st('length_mismatch', 'E_OFFSET_MISMATCH', 'end − begin differs from numel × item size', ST_OK.replace('"shape":[2],"data_offsets":[0,8]', '"shape":[3],"data_offsets":[0,8]'));
  st('offsets_gap', 'E_OFFSET_MISMATCH', 'a gap between two tensors', '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}');
  st('offsets_overlap', 'E_OFFSET_MISMATCH', 'two tensors share bytes', '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', F32x4.subarray(0, 12));
  st('offsets_not_from_zero', 'E_OFFSET_MISMATCH', 'the first tensor does not start the buffer', '{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}');
  st('data_truncated', 'E_TRUNCATED', 'the data buffer is shorter than the offsets', ST_OK, F32x4.subarray(0, 12));
  st('data_trailing', 'E_TRAILING_BYTES', 'bytes after the last tensor', ST_OK, bytes(F32x4, [1, 2, 3, 4]));
  st('offsets_reversed', 'E_HEADER_JSON', 'begin > end', ST_OK.replace('[8,16]', '[16,8]'));
  st('offsets_three', 'E_HEADER_JSON', 'data_offsets with three numbers', ST_OK.replace('[8,16]', '[8,16,16]'));
  st('metadata_not_string', 'E_HEADER_JSON', '__metadata__ values must be strings', `{"__metadata__":{"k":1},${ST_OK.slice(1)}`);
  st('missing_field', 'E_HEADER_JSON', 'a tensor without data_offsets', ST_OK.replace(',"data_offsets":[8,16]', ''), F32x4.subarray(0, 8));
  st('extra_field', 'E_HEADER_JSON', 'a tensor with an unknown field', ST_OK.replace('"data_offsets":[8,16]', '"data_offsets":[8,16],"stride":[1]'));
  st('entry_not_object', 'E_HEADER_JSON', 'a tensor entry that is an array', '{"a":[0,8]}', new Uint8Array(0));
  add('safetensors/too_many_tensors.safetensors', 'E_LIMIT', 'more tensors than limits.maxTensors', safetensorsRaw(ST_OK, F32x4), { maxTensors: 1 });

  const npy = (name: string, code: RnnportErrorCode, why: string, data: Uint8Array): void => add(`npy/${name}.npy`, code, why, data);
  npy('bad_magic', 'E_BAD_MAGIC', 'magic is not \\x93NUMPY', bytes([0x93], 'NUMPZ', npyOk.subarray(6)));
  npy('version_4', 'E_NPY_HEADER', 'format version 4.0 does not exist', npyRaw(NPY_OK, F32x4, { major: 4 }));
  npy('version_minor', 'E_NPY_HEADER', 'format version 1.1 does not exist', npyRaw(NPY_OK, F32x4, { minor: 1 }));
  npy('preamble_truncated', 'E_TRUNCATED', 'file ends inside the preamble', npyOk.subarray(0, 8));
  npy('header_beyond_file', 'E_TRUNCATED', 'header length past the end of the file', npyRaw(NPY_OK, new Uint8Array(0), { length: 5000 }));
  npy('missing_shape', 'E_NPY_HEADER', "no 'shape' key", npyRaw("{'descr': '<f4', 'fortran_order': False, }", F32x4));
  npy('extra_key', 'E_NPY_HEADER', 'a key numpy does not write', npyRaw("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1, }", F32x4));
  npy('duplicate_key', 'E_NPY_HEADER', 'a key given twice', npyRaw("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", F32x4));
  npy('object_dtype', 'E_DTYPE_UNSUPPORTED', 'object arrays hold pickles', npyRaw(NPY_OK.replace('<f4', '|O'), F32x4));
  npy('structured_dtype', 'E_DTYPE_UNSUPPORTED', 'structured dtype (a list descr)', npyRaw("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", F32x4));
  npy('string_dtype', 'E_DTYPE_UNSUPPORTED', 'byte-string dtype', npyRaw(NPY_OK.replace('<f4', '|S4'), F32x4));
  npy('unicode_dtype', 'E_DTYPE_UNSUPPORTED', 'unicode dtype', npyRaw(NPY_OK.replace('<f4', '<U1'), F32x4));
  npy('complex_dtype', 'E_DTYPE_UNSUPPORTED', 'complex dtype', npyRaw(NPY_OK.replace('<f4', '<c8'), F32x4));
  npy('native_order_multibyte', 'E_NPY_HEADER', "'|' byte order on a 4-byte type is ambiguous", npyRaw(NPY_OK.replace('<f4', '|f4'), F32x4));
  npy('shape_negative', 'E_NPY_HEADER', 'a negative dimension', npyRaw(NPY_OK.replace('(2, 2)', '(-2, 2)'), F32x4));
  npy('shape_overflow', 'E_SIZE_OVERFLOW', 'numel × item size past 2^53 − 1', npyRaw(NPY_OK.replace('(2, 2)', '(4503599627370496, 4)'), F32x4));
  npy('shape_list', 'E_NPY_HEADER', 'shape as a list, not a tuple', npyRaw(NPY_OK.replace('(2, 2)', '[2, 2]'), F32x4));
  npy('shape_paren_int', 'E_NPY_HEADER', '(4) is an int in Python, not a tuple', npyRaw(NPY_OK.replace('(2, 2)', '(4)'), F32x4));
  npy('fortran_not_bool', 'E_NPY_HEADER', 'fortran_order must be True or False', npyRaw(NPY_OK.replace('False', '0'), F32x4));
  npy('header_code', 'E_NPY_HEADER', 'a header that is code, never evaluated', npyRaw("__import__('os').system('true')", F32x4));
  npy('header_trailing_text', 'E_NPY_HEADER', 'text after the dict', npyRaw(`${NPY_OK} x`, F32x4));
  npy('header_unclosed', 'E_NPY_HEADER', 'the dict is never closed', npyRaw("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), ", F32x4));
  npy('v3_invalid_utf8', 'E_NPY_HEADER', 'a 3.0 header must be UTF-8', npyRaw(bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), '", [0xff], "': 1}"), F32x4, { major: 3 }));
  npy('data_short', 'E_TRUNCATED', 'fewer data bytes than the shape needs', npyRaw(NPY_OK, F32x4.subarray(0, 12)));
  npy('data_long', 'E_TRAILING_BYTES', 'more data bytes than the shape needs', npyRaw(NPY_OK, bytes(F32x4, [0])));
  add('npy/header_over_limit.npy', 'E_LIMIT', 'header longer than limits.maxHeaderBytes', npyOk, { maxHeaderBytes: 32 });

  const member = (name: string, data = npyOk): ZipMemberSpec => ({ name, data });
  const zip = (name: string, code: RnnportErrorCode, why: string, data: Uint8Array, limits?: Partial<Limits>): void => add(`zip/${name}.zip`, code, why, data, limits);
  zip('bad_crc', 'E_CRC', 'stored bytes do not match the CRC-32', buildZip([{ ...member('a.npy'), crc: 0x12345678 }]));
  zip('bad_crc_deflated', 'E_CRC', 'inflated bytes do not match the CRC-32', buildZip([{ ...member('a.npy'), method: 8, crc: 1 }]));
  zip('duplicate_names', 'E_ZIP_ENTRY', 'two members named a.npy', buildZip([member('a.npy'), member('a.npy')]));
  zip('local_name_differs', 'E_ZIP_ENTRY', 'local header names another file', buildZip([{ ...member('a.npy'), localName: 'b.npy' }]));
  zip('local_size_differs', 'E_ZIP_ENTRY', 'local header and central directory disagree on the size', buildZip([{ ...member('a.npy'), localCompressedSize: 3 }]));
  zip('stored_sizes_differ', 'E_ZIP_ENTRY', 'a stored member whose sizes differ', buildZip([{ ...member('a.npy'), uncompressedSize: npyOk.length + 1 }]));
  zip('deflate_bomb', 'E_ZIP_ENTRY', 'declares 100 bytes, inflates to 1 MB: inflation stops at 100', buildZip([{ name: 'a.npy', data: new Uint8Array(1 << 20), method: 8, uncompressedSize: 100 }]));
  zip('deflate_ratio_impossible', 'E_ZIP_ENTRY', 'declares more than 1032× its compressed size, so no buffer is allocated for it', buildZip([{ ...member('a.npy'), method: 8, uncompressedSize: 50_000_000 }]));
  zip('deflate_short', 'E_ZIP_ENTRY', 'declares more bytes than the stream holds', buildZip([{ ...member('a.npy'), method: 8, uncompressedSize: npyOk.length + 10 }]));
  zip('deflate_corrupt', 'E_ZIP_ENTRY', 'invalid deflate block type', buildZip([{ ...member('a.npy'), method: 8, payload: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }]));
  zip('method_bzip2', 'E_ZIP_ENTRY', 'compression method 12', buildZip([{ ...member('a.npy'), method: 12, payload: npyOk }]));
  zip('encrypted', 'E_ZIP_ENTRY', 'encryption flag set', buildZip([{ ...member('a.npy'), flags: 1 }]));
  zip('local_offset_beyond_file', 'E_TRUNCATED', 'local header offset past the end', buildZip([{ ...member('a.npy'), localHeaderOffset: 1 << 20 }]));
  zip('local_offset_wrong', 'E_OFFSET_MISMATCH', 'local header offset points into data', buildZip([{ ...member('a.npy'), localHeaderOffset: 7 }]));
  zip('data_into_directory', 'E_OFFSET_MISMATCH', 'member data runs into the central directory', buildZip([{ ...member('a.npy'), compressedSize: npyOk.length + 40, uncompressedSize: npyOk.length + 40, localCompressedSize: npyOk.length + 40 }]));
  const overlapSize = npyOk.length + 40;
  zip('members_overlap', 'E_OFFSET_MISMATCH', 'one member runs into the next', buildZip([{ ...member('a.npy'), compressedSize: overlapSize, uncompressedSize: overlapSize, localCompressedSize: overlapSize }, member('b.npy')]));
  zip('no_end_record', 'E_TRUNCATED', 'archive cut before its end record', buildZip([member('a.npy')]).subarray(0, -22));
  zip('directory_offset_wrong', 'E_OFFSET_MISMATCH', 'central directory offset off by one', buildZip([member('a.npy')], { cdOffsetDelta: 1 }));
  zip('entry_count_wrong', 'E_ZIP_ENTRY', 'end record counts more entries than the directory holds', buildZip([member('a.npy')], { count: 5 }));
  zip('multi_disk', 'E_ZIP_ENTRY', 'a split archive', buildZip([member('a.npy')], { disk: 1 }));
  zip('descriptor_mismatch', 'E_ZIP_ENTRY', 'data descriptor CRC disagrees with the directory', buildZip([{ ...member('a.npy'), descriptor: 'signature', descriptorCrc: 7 }]));
  zip('zip64_extra_missing', 'E_ZIP_ENTRY', 'sizes 0xFFFFFFFF with no ZIP64 extra field', buildZip([{ ...member('a.npy'), compressedSize: 0xffffffff }]));
  zip('zip64_end_offset_wrong', 'E_OFFSET_MISMATCH', 'ZIP64 locator points at the wrong place', buildZip([member('a.npy')], { zip64End: true, eocd64Offset: 3 }));
  zip('name_invalid_utf8', 'E_ZIP_ENTRY', 'member name is not UTF-8', buildZip([{ ...member('a.npy'), nameBytes: new Uint8Array([0x61, 0xff]) }]));
  zip('inflate_over_limit', 'E_LIMIT', 'inflated size above limits.maxInflatedBytes', buildZip([{ ...member('a.npy'), method: 8 }]), { maxInflatedBytes: 16 });

  const npz = (name: string, code: RnnportErrorCode, why: string, data: Uint8Array): void => add(`npz/${name}.npz`, code, why, data);
  npz('member_not_npy', 'E_ZIP_ENTRY', 'a member that is not <name>.npy', buildZip([member('a.npy'), member('readme.txt', bytes('hi'))]));
  npz('member_bad_magic', 'E_BAD_MAGIC', 'a .npy member that is not npy', buildZip([member('a.npy', bytes('not an npy file at all'))]));
  npz('member_data_short', 'E_TRUNCATED', 'a member shorter than its npy shape', buildZip([member('a.npy', npyRaw(NPY_OK, F32x4.subarray(0, 8)))]));
  npz('member_deflated_bad_header', 'E_NPY_HEADER', 'a deflated member with a malformed npy header', buildZip([{ ...member('a.npy', npyRaw(NPY_OK.replace('False', 'Maybe'), F32x4)), method: 8 }]));
  npz('member_crc_deflated', 'E_CRC', 'a deflated npz member with a wrong CRC', buildZip([{ ...member('a.npy'), method: 8, crc: 3 }]));
  return cases;
}

/** Writes the corpus under `root` (test/malformed), replacing the format folders. */
export function writeCorpus(root: string): void {
  const cases = buildCorpus();
  for (const dir of ['safetensors', 'npy', 'zip', 'npz']) rmSync(join(root, dir), { recursive: true, force: true });
  for (const c of cases) {
    mkdirSync(dirname(join(root, c.file)), { recursive: true });
    writeFileSync(join(root, c.file), c.bytes);
  }
  const index = cases.map(({ file, code, why, limits }) => (limits === undefined ? { file, code, why } : { file, code, why, limits }));
  writeFileSync(join(root, 'cases.json'), `${JSON.stringify(index, null, 1)}\n`);
}

// Run as a script (from the repository root), not when imported by the tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) writeCorpus(join(process.cwd(), 'test', 'malformed'));
