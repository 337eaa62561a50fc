/**
 * The zip writer behind saveNpz: stored members, fixed timestamps, no ZIP64 (APPNOTE.TXT 4.3).
 * zip.ts reads what this writes; test/unit/io/zip.test.ts also checks fflate reads it.
 */
import { fail } from '../errors.js';
import { concatBytes, crc32 } from './bytes.js';
import { EOCD_SIZE, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL } from './zip.js';

const STORED = 0;
const FLAG_UTF8 = 0x0800;
/** DOS date of 1980-01-01 (day 1, month 1, year 0): fixed, so archives are byte-reproducible. */
const FIXED_DATE = (1 << 5) | 1;

/**
 * A zip of stored members with fixed timestamps: byte-identical for identical input. Members
 * must be under 4 GiB and the archive under 4 GiB (no ZIP64 writing), else E_SIZE_OVERFLOW.
 */
export function writeStoredZip(members: readonly { readonly name: string; readonly data: Uint8Array }[]): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = encoder.encode(m.name);
    const crc = crc32(m.data);
    const size = m.data.byteLength;
    if (offset + 30 + name.length + size >= 0xffffffff || name.length > 0xffff) {
      throw fail('E_SIZE_OVERFLOW', { what: `zip member "${m.name}"`, expected: 'an archive under 4 GiB', got: `${size} bytes at offset ${offset}` });
    }
    const flags = /^[\x00-\x7f]*$/.test(m.name) ? 0 : FLAG_UTF8;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, SIG_LOCAL, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, STORED, true);
    local.setUint16(10, 0, true);
    local.setUint16(12, FIXED_DATE, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, size, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, SIG_CENTRAL, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(8, flags, true);
    central.setUint16(10, STORED, true);
    central.setUint16(12, 0, true);
    central.setUint16(14, FIXED_DATE, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, size, true);
    central.setUint32(24, size, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, offset, true);
    locals.push(new Uint8Array(local.buffer), name, m.data);
    centrals.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.length + size;
  }
  const cd = concatBytes(centrals);
  if (members.length > 0xffff || offset + cd.length >= 0xffffffff) {
    throw fail('E_SIZE_OVERFLOW', { what: 'zip archive', expected: 'under 65535 members and 4 GiB', got: `${members.length} members` });
  }
  const eocd = new DataView(new ArrayBuffer(EOCD_SIZE));
  eocd.setUint32(0, SIG_EOCD, true);
  eocd.setUint16(8, members.length, true);
  eocd.setUint16(10, members.length, true);
  eocd.setUint32(12, cd.length, true);
  eocd.setUint32(16, offset, true);
  return concatBytes([...locals, cd, new Uint8Array(eocd.buffer)]);
}
