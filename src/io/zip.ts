/**
 * Zip archives (npz, torch.save): the central directory is parsed here with bounds checks,
 * fflate only inflates. APPNOTE.TXT 6.3.10 is the spec: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 *
 *   openZip(source: ByteSource, limits: Limits): ZipArchive
 *   ZipArchive = { entries: readonly ZipEntry[]; get(name); read(entry): Uint8Array; readPrefix(entry, length) }
 *   ZipEntry = { name, method, compressedSize, uncompressedSize, crc32, localHeaderOffset, dataOffset }
 *
 * `openZip` reads the end records, the central directory and every local header, and rejects:
 * duplicate names, sizes or names that disagree between the central directory, the local header
 * and the data descriptor (E_ZIP_ENTRY); members outside the bytes present (E_TRUNCATED) or
 * overlapping each other or the directory (E_OFFSET_MISMATCH); encryption, multi-disk archives
 * and compression other than stored / deflate (E_ZIP_ENTRY). ZIP64 (end-record locator, extra
 * field 0x0001) and data descriptors (flag bit 3) are supported.
 *
 * `read` checks the CRC-32 (E_CRC) and never inflates past the declared size: a member that
 * lies about it is E_ZIP_ENTRY without expanding into memory. Stored members come back as views
 * of the source's bytes when the source is in memory. `readPrefix` inflates only the first
 * `length` bytes (for headers) and checks no CRC. Every byte inflated counts against a budget
 * of `limits.maxInflatedBytes`, checked against the declared size before anything is allocated
 * (E_LIMIT): one budget for opening the archive (headers, the pickle) and a fresh one per
 * `budget()` a loader takes for one load, so a small file cannot inflate to gigabytes one member
 * at a time, nor by reading the same member again.
 */
import { Inflate } from 'fflate';
import { fail } from '../errors.js';
import { at, ByteReader, crc32, readRange } from './bytes.js';
import { checkLimit, type Limits } from './limits.js';
import type { ByteSource } from './source.js';

/** One member, as its central directory record and local header describe it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  /** Offset of the member's (compressed) data in the source. */
  readonly dataOffset: number;
}

/** Bytes inflated so far against `limits.maxInflatedBytes` (see the file comment). */
export interface InflateBudget {
  spent: number;
}

/** A validated archive; members are read on demand. */
export interface ZipArchive {
  /** Members in central directory order. */
  readonly entries: readonly ZipEntry[];
  get(name: string): ZipEntry | undefined;
  /** The member's bytes, CRC-checked; inflating charges `budget` (default: the archive's opening budget). */
  read(entry: ZipEntry, budget?: InflateBudget): Uint8Array;
  /** The member's first min(length, uncompressedSize) bytes, not CRC-checked. */
  readPrefix(entry: ZipEntry, length: number, budget?: InflateBudget): Uint8Array;
  /** A fresh budget, for one load. */
  budget(): InflateBudget;
}

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
export const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATE = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const ZIP64_EXTRA = 0x0001;
/** Deflate's best case is a 258-byte match per ~2 bits: no member can inflate by more (so no larger buffer is ever allocated). */
const MAX_DEFLATE_RATIO = 1032;
/** Compressed bytes fed to the inflater per step: output per step is at most ~1032× this. */
const INFLATE_CHUNK = 16 * 1024;
/** The same when only a prefix is wanted (a header): a step then inflates at most ~264 KB. */
const PREFIX_CHUNK = 256;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Opens and validates an archive (see the file comment). */
export function openZip(source: ByteSource, limits: Limits): ZipArchive {
  const end = readEnd(source);
  const cd = new ByteReader(readRange(source, end.cdOffset, end.cdSize, 'zip central directory'), source.name, end.cdOffset);
  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  const spans: [number, number][] = [];
  for (let i = 0; i < end.count; i++) {
    const { entry, span } = readEntry(source, cd, end.cdOffset);
    if (byName.has(entry.name)) {
      throw fail('E_ZIP_ENTRY', { what: 'zip member name', expected: 'unique names', got: `"${entry.name}" twice`, at: at(source.name, entry.localHeaderOffset) });
    }
    byName.set(entry.name, entry);
    entries.push(entry);
    spans.push(span);
  }
  if (cd.pos !== end.cdSize) {
    throw fail('E_OFFSET_MISMATCH', { what: 'zip central directory size', expected: `${cd.pos} bytes for ${end.count} entries`, got: String(end.cdSize), at: at(source.name, end.cdOffset) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    const [start] = spans[i] as [number, number];
    const [, prevEnd] = spans[i - 1] as [number, number];
    if (start < prevEnd) {
      throw fail('E_OFFSET_MISMATCH', { what: 'zip member', expected: `to start at or after byte ${prevEnd} (end of the previous member)`, got: String(start), at: at(source.name, start) });
    }
  }
  const opening: InflateBudget = { spent: 0 };
  const charge = (budget: InflateBudget, entry: ZipEntry, n: number): void => {
    checkLimit(limits, 'maxInflatedBytes', budget.spent + n, `bytes inflated from the archive in all (${n} more for "${entry.name}")`, source.name);
    budget.spent += n;
  };
  return {
    entries,
    get: (name) => byName.get(name),
    budget: () => ({ spent: 0 }),
    read(entry, budget = opening) {
      if (entry.method === DEFLATE) charge(budget, entry, entry.uncompressedSize);
      const raw = readRange(source, entry.dataOffset, entry.compressedSize, `zip member "${entry.name}"`);
      const data = entry.method === STORED ? raw : inflate(raw, entry, entry.uncompressedSize, true, source.name);
      const crc = crc32(data);
      if (crc !== entry.crc32) {
        throw fail('E_CRC', { what: `CRC-32 of "${entry.name}"`, expected: hex(entry.crc32), got: hex(crc), at: at(source.name, entry.dataOffset) });
      }
      return data;
    },
    readPrefix(entry, length, budget = opening) {
      const n = Math.min(length, entry.uncompressedSize);
      if (entry.method === STORED) return readRange(source, entry.dataOffset, n, `zip member "${entry.name}"`);
      charge(budget, entry, n);
      const raw = readRange(source, entry.dataOffset, entry.compressedSize, `zip member "${entry.name}"`);
      return inflate(raw, entry, n, false, source.name);
    },
  };
}

interface End {
  readonly count: number;
  readonly cdOffset: number;
  readonly cdSize: number;
}

/** Finds the end of central directory record (and its ZIP64 form) scanning back over the comment. */
function readEnd(source: ByteSource): End {
  // Most archives have no comment: try the last 22 bytes before scanning up to 64 KiB back.
  let tailLength = Math.min(source.size, EOCD_SIZE);
  let tail = readRange(source, source.size - tailLength, tailLength, 'zip end of central directory');
  let pos = findEnd(tail);
  if (pos < 0 && source.size > EOCD_SIZE) {
    tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT);
    tail = readRange(source, source.size - tailLength, tailLength, 'zip end of central directory');
    pos = findEnd(tail);
  }
  const tailStart = source.size - tailLength;
  if (pos < 0) {
    throw fail('E_TRUNCATED', { what: 'zip end of central directory record', expected: 'a record ending the file', got: 'none', at: source.name });
  }
  const r = new ByteReader(tail.subarray(pos), source.name, tailStart + pos);
  r.u32('EOCD signature');
  const disk = r.u16('EOCD disk number');
  const cdDisk = r.u16('EOCD central directory disk');
  const countHere = r.u16('EOCD entries on this disk');
  let count = r.u16('EOCD entries');
  let cdSize = r.u32('EOCD central directory size');
  let cdOffset = r.u32('EOCD central directory offset');
  let cdEnd = tailStart + pos;
  const locatorAt = cdEnd - 20;
  const hasLocator = locatorAt >= 0 && u32(readRange(source, locatorAt, 4, 'ZIP64 locator'), 0) === SIG_LOCATOR64;
  // With ZIP64 the 32-bit record's fields may all be saturated (0xFFFF…): the ZIP64 record rules.
  if (!hasLocator) checkSingleDisk(disk, cdDisk, countHere, count, source.name);
  else {
    const loc = new ByteReader(readRange(source, locatorAt, 20, 'ZIP64 locator'), source.name, locatorAt);
    loc.u32('ZIP64 locator signature');
    loc.u32('ZIP64 locator disk');
    const eocd64At = loc.u64('ZIP64 end record offset');
    if (eocd64At + 56 > locatorAt) {
      throw fail('E_OFFSET_MISMATCH', { what: 'ZIP64 end record offset', expected: `at most ${locatorAt - 56}`, got: String(eocd64At), at: at(source.name, locatorAt + 8) });
    }
    const z = new ByteReader(readRange(source, eocd64At, 56, 'ZIP64 end record'), source.name, eocd64At);
    if (z.u32('ZIP64 end record signature') !== SIG_EOCD64) {
      throw fail('E_OFFSET_MISMATCH', { what: 'ZIP64 end record', expected: 'signature PK\\x06\\x06', got: 'other bytes', at: at(source.name, eocd64At) });
    }
    z.u64('ZIP64 end record size');
    z.u16('ZIP64 version made by');
    z.u16('ZIP64 version needed');
    const disk64 = z.u32('ZIP64 disk number');
    const cdDisk64 = z.u32('ZIP64 central directory disk');
    const countHere64 = z.u64('ZIP64 entries on this disk');
    count = z.u64('ZIP64 entries');
    cdSize = z.u64('ZIP64 central directory size');
    cdOffset = z.u64('ZIP64 central directory offset');
    checkSingleDisk(disk64, cdDisk64, countHere64, count, source.name);
    cdEnd = eocd64At;
  }
  if (cdOffset + cdSize !== cdEnd) {
    throw fail('E_OFFSET_MISMATCH', { what: 'zip central directory', expected: `to end at byte ${cdEnd}`, got: `${cdOffset} + ${cdSize} bytes`, at: at(source.name, cdEnd) });
  }
  if (count * 46 > cdSize) {
    throw fail('E_ZIP_ENTRY', { what: 'zip entry count', expected: `at most ${Math.floor(cdSize / 46)} in ${cdSize} bytes`, got: String(count), at: at(source.name, cdEnd) });
  }
  return { count, cdOffset, cdSize };
}

/** Offset in `tail` of an end record whose comment runs exactly to the end, or −1. */
function findEnd(tail: Uint8Array): number {
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (u32(tail, i) === SIG_EOCD && i + EOCD_SIZE + u16(tail, i + 20) === tail.length) return i;
  }
  return -1;
}

function checkSingleDisk(disk: number, cdDisk: number, countHere: number, count: number, name: string): void {
  if (disk !== 0 || cdDisk !== 0 || countHere !== count) {
    throw fail('E_ZIP_ENTRY', { what: 'zip disks', expected: 'a single-disk archive', got: `disk ${disk}, directory on disk ${cdDisk}`, at: name });
  }
}

/** Sizes that may live in a ZIP64 extra field instead of the 32-bit slots. */
interface Sizes {
  uncompressed: number;
  compressed: number;
  offset: number;
  zip64: boolean;
}

/** Parses one central directory record and checks it against its local header and descriptor. */
function readEntry(source: ByteSource, cd: ByteReader, cdOffset: number): { entry: ZipEntry; span: [number, number] } {
  const recordAt = cd.base + cd.pos;
  const where = at(source.name, recordAt);
  if (cd.u32('central directory signature') !== SIG_CENTRAL) {
    throw fail('E_ZIP_ENTRY', { what: 'central directory record', expected: 'signature PK\\x01\\x02', got: 'other bytes', at: where });
  }
  cd.u16('version made by');
  cd.u16('version needed');
  const flags = cd.u16('flags');
  const method = cd.u16('compression method');
  cd.u32('modification time');
  const crc = cd.u32('CRC-32');
  const compressed32 = cd.u32('compressed size');
  const uncompressed32 = cd.u32('uncompressed size');
  const nameLength = cd.u16('name length');
  const extraLength = cd.u16('extra length');
  const commentLength = cd.u16('comment length');
  cd.u16('disk number start');
  cd.u16('internal attributes');
  cd.u32('external attributes');
  const offset32 = cd.u32('local header offset');
  const nameBytes = cd.take(nameLength, 'member name');
  const extra = cd.take(extraLength, 'extra field');
  cd.take(commentLength, 'member comment');
  const name = decodeName(nameBytes, where);
  const s = zip64Sizes(extra, { uncompressed: uncompressed32, compressed: compressed32, offset: offset32, zip64: false }, true, source.name, recordAt);
  if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    throw fail('E_ZIP_ENTRY', { what: `zip member "${name}"`, expected: 'no encryption', got: `flags 0x${flags.toString(16)}`, at: where });
  }
  if (method !== STORED && method !== DEFLATE) {
    throw fail('E_ZIP_ENTRY', { what: `compression of "${name}"`, expected: '0 (stored) or 8 (deflate)', got: String(method), at: where });
  }
  if (method === DEFLATE && s.uncompressed > s.compressed * MAX_DEFLATE_RATIO + 1024) {
    throw fail('E_ZIP_ENTRY', { what: `sizes of deflated member "${name}"`, expected: `at most ${MAX_DEFLATE_RATIO}× the compressed size`, got: `${s.uncompressed} from ${s.compressed} bytes`, at: where });
  }
  if (method === STORED && s.compressed !== s.uncompressed) {
    throw fail('E_ZIP_ENTRY', { what: `sizes of stored member "${name}"`, expected: 'compressed = uncompressed', got: `${s.compressed} ≠ ${s.uncompressed}`, at: where });
  }
  // Local header: the same name, method and (unless deferred to a data descriptor) sizes and CRC.
  const lh = new ByteReader(readRange(source, s.offset, 30, `local header of "${name}"`), source.name, s.offset);
  if (lh.u32('local header signature') !== SIG_LOCAL) {
    throw fail('E_OFFSET_MISMATCH', { what: `local header offset of "${name}"`, expected: 'signature PK\\x03\\x04 there', got: 'other bytes', at: at(source.name, s.offset) });
  }
  lh.u16('version needed');
  const localFlags = lh.u16('flags');
  const localMethod = lh.u16('compression method');
  lh.u32('modification time');
  const localCrc = lh.u32('CRC-32');
  const localCompressed = lh.u32('compressed size');
  const localUncompressed = lh.u32('uncompressed size');
  const localNameLength = lh.u16('name length');
  const localExtraLength = lh.u16('extra length');
  const tail = new ByteReader(readRange(source, s.offset + 30, localNameLength + localExtraLength, `local header of "${name}"`), source.name, s.offset + 30);
  const localName = tail.take(localNameLength, 'member name');
  const localExtra = tail.take(localExtraLength, 'extra field');
  const local = zip64Sizes(localExtra, { uncompressed: localUncompressed, compressed: localCompressed, offset: s.offset, zip64: false }, false, source.name, s.offset);
  const deferred = (localFlags & FLAG_DESCRIPTOR) !== 0;
  const agree =
    localMethod === method &&
    decodeName(localName, at(source.name, s.offset)) === name &&
    (flags & FLAG_DESCRIPTOR) === (localFlags & FLAG_DESCRIPTOR) &&
    (deferred || (localCrc === crc && local.compressed === s.compressed && local.uncompressed === s.uncompressed));
  if (!agree) {
    throw fail('E_ZIP_ENTRY', { what: `local header of "${name}"`, expected: 'the name, method, flags, sizes and CRC of its central record', got: 'different values', at: at(source.name, s.offset) });
  }
  const dataOffset = s.offset + 30 + localNameLength + localExtraLength;
  let end = dataOffset + s.compressed;
  if (end > cdOffset) {
    throw fail('E_OFFSET_MISMATCH', { what: `data of "${name}"`, expected: `to end by byte ${cdOffset} (central directory)`, got: `${s.compressed} bytes at ${dataOffset}`, at: at(source.name, dataOffset) });
  }
  if (deferred) end = checkDescriptor(source, end, cdOffset, crc, s, local.zip64, name);
  const entry: ZipEntry = { name, method, compressedSize: s.compressed, uncompressedSize: s.uncompressed, crc32: crc, localHeaderOffset: s.offset, dataOffset };
  return { entry, span: [s.offset, end] };
}

/** Checks the data descriptor after a member's data; returns the offset just past it. */
function checkDescriptor(source: ByteSource, pos: number, limit: number, crc: number, s: Sizes, zip64: boolean, name: string): number {
  const sizeBytes = zip64 ? 8 : 4;
  const hasSignature = pos + 4 <= limit && u32(readRange(source, pos, 4, `data descriptor of "${name}"`), 0) === SIG_DESCRIPTOR;
  const length = (hasSignature ? 4 : 0) + 4 + 2 * sizeBytes;
  if (pos + length > limit) {
    throw fail('E_OFFSET_MISMATCH', { what: `data descriptor of "${name}"`, expected: `${length} bytes before byte ${limit}`, got: `${limit - pos}`, at: at(source.name, pos) });
  }
  const r = new ByteReader(readRange(source, pos, length, `data descriptor of "${name}"`), source.name, pos);
  if (hasSignature) r.u32('descriptor signature');
  const dCrc = r.u32('descriptor CRC-32');
  const dCompressed = zip64 ? r.u64('descriptor compressed size') : r.u32('descriptor compressed size');
  const dUncompressed = zip64 ? r.u64('descriptor uncompressed size') : r.u32('descriptor uncompressed size');
  if (dCrc !== crc || dCompressed !== s.compressed || dUncompressed !== s.uncompressed) {
    throw fail('E_ZIP_ENTRY', { what: `data descriptor of "${name}"`, expected: `CRC ${hex(crc)}, sizes ${s.compressed}/${s.uncompressed}`, got: `CRC ${hex(dCrc)}, sizes ${dCompressed}/${dUncompressed}`, at: at(source.name, pos) });
  }
  return pos + length;
}

/**
 * Replaces 0xFFFFFFFF slots by the ZIP64 extra field's values (APPNOTE 4.5.3: uncompressed,
 * compressed, offset, in that order, each present only if its slot is saturated; a local header
 * carries both sizes). Other extra records are skipped, but must be well formed.
 */
function zip64Sizes(extra: Uint8Array, s32: Sizes, central: boolean, name: string, base: number): Sizes {
  const out = { ...s32 };
  const r = new ByteReader(extra, name, base);
  while (r.pos < extra.byteLength) {
    const id = r.u16('extra field id');
    const size = r.u16('extra field size');
    const body = new ByteReader(r.take(size, 'extra field'), name, r.base + r.pos - size);
    if (id !== ZIP64_EXTRA) continue;
    out.zip64 = true;
    if (s32.uncompressed === 0xffffffff || !central) out.uncompressed = body.u64('ZIP64 uncompressed size');
    if (s32.compressed === 0xffffffff || !central) out.compressed = body.u64('ZIP64 compressed size');
    if (central && s32.offset === 0xffffffff) out.offset = body.u64('ZIP64 local header offset');
  }
  const missing = (central && s32.offset === 0xffffffff) || s32.compressed === 0xffffffff || s32.uncompressed === 0xffffffff;
  if (missing && !out.zip64) {
    throw fail('E_ZIP_ENTRY', { what: 'ZIP64 extra field', expected: 'present for sizes 0xFFFFFFFF', got: 'none', at: at(name, base) });
  }
  return out;
}

function decodeName(bytes: Uint8Array, where: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw fail('E_ZIP_ENTRY', { what: 'zip member name', expected: 'UTF-8', got: 'invalid bytes', at: where });
  }
}

/** Sentinel thrown out of fflate's callback to stop inflating. */
const STOP = Symbol('stop');

/**
 * Inflates the first `cap` bytes of a member. With `exact` (cap = the declared size), a stream
 * that produces more or fewer bytes is E_ZIP_ENTRY; nothing past `cap` is ever kept.
 */
function inflate(raw: Uint8Array, entry: ZipEntry, cap: number, exact: boolean, name: string): Uint8Array {
  const out = new Uint8Array(cap);
  let n = 0;
  let overflow = false;
  const inflater = new Inflate((chunk: Uint8Array) => {
    const room = cap - n;
    if (chunk.length > room) {
      out.set(chunk.subarray(0, room), n);
      n = cap;
      overflow = true;
      throw STOP;
    }
    out.set(chunk, n);
    n += chunk.length;
  });
  const where = at(name, entry.dataOffset);
  try {
    let p = 0;
    const step = exact ? INFLATE_CHUNK : PREFIX_CHUNK;
    do {
      const next = Math.min(p + step, raw.byteLength);
      inflater.push(raw.subarray(p, next), next === raw.byteLength);
      p = next;
    } while (p < raw.byteLength && (exact || n < cap));
  } catch (e) {
    if (e !== STOP) {
      throw fail('E_ZIP_ENTRY', { what: `deflate data of "${entry.name}"`, expected: 'a valid deflate stream', got: e instanceof Error ? e.message : String(e), at: where });
    }
  }
  if (exact && (overflow || n !== cap)) {
    throw fail('E_ZIP_ENTRY', { what: `inflated size of "${entry.name}"`, expected: `${cap} bytes (declared)`, got: overflow ? 'more' : String(n), at: where });
  }
  return out.subarray(0, n);
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

function u32(b: Uint8Array, i: number): number {
  return (u16(b, i) | (u16(b, i + 2) << 16)) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
