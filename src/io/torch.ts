/**
 * torch.save files (.pt / .pth), read without running code from them.
 *
 * Zip format (PyTorch ≥ 1.6; torch/serialization.py `_save`, `_load`): one root folder of any
 * name holding `data.pkl` (the pickled object), `data/<key>` (one record per storage, raw
 * little-endian bytes unless `byteorder` says 'big'), `version`, and in 2.x `.format_version`,
 * `.storage_alignment`, `byteorder`, `.data/serialization_id`. TorchScript archives add
 * `constants.pkl` and `code/`: rejected with a message saying how to re-save.
 *
 * Legacy format (PyTorch < 1.6, `_use_new_zipfile_serialization=False`): five pickles back to
 * back — magic number, protocol version, sys_info, the object, the list of storage keys — then
 * per key an int64 element count and the storage bytes (always little-endian,
 * THPStorage_writeFileRaw).
 *
 * The pickle goes through pickle/vm.ts with the allow-list (pickle/allowlist.ts); persistent ids
 * `('storage', storage_type, key, location, numel)` name the records, whose sizes are checked
 * against the ids before anything else is read. Tensor bytes are read by `read(name)`.
 */
import { DTYPES, itemSize } from '../dtype.js';
import { fail, isRnnportError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { at, readRange, shapeByteLength, typedFromLittleEndian } from './bytes.js';
import { checkLimit, resolveLimits, type Limits } from './limits.js';
import { makeIndex, type LoadOptions, type TensorEntry, type WeightsIndex } from './load.js';
import { resolveGlobal } from './pickle/allowlist.js';
import { chooseStateDict, type StateDictChoice } from './pickle/state-dicts.js';
import { PyTuple, StorageRef, StorageType, TensorRef, typeName, type PickleValue } from './pickle/values.js';
import { unpickle } from './pickle/vm.js';
import type { ByteSource } from './source.js';
import type { ZipArchive, ZipEntry } from './zip.js';

/** The legacy format's first pickle (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The legacy format's second pickle (PROTOCOL_VERSION). */
const LEGACY_PROTOCOL = 1001;
/** Bytes of the `byteorder` record read ('little' or 'big'). */
const MAX_BYTEORDER = 16;

const RESAVE = 'torch.save(sd, path) with a current PyTorch, or safetensors';
const LATIN1 = new TextDecoder('latin1');

/** How a storage's bytes are found: its record's size and a reader for it. */
interface Records {
  size(key: string): number | undefined;
  read(key: string): Uint8Array;
  readonly where: (key: string) => string;
}

/**
 * True when a zip holds `<root>/data.pkl` or `<root>/version`: a torch.save archive (or a
 * TorchScript one; or a broken one, which openTorchZip then names). npz members are `<name>.npy`.
 */
export function isTorchZip(zip: ZipArchive): boolean {
  return zip.entries.some((e) => /^[^/]+\/(data\.pkl|version)$/.test(e.name));
}

/** Opens a torch.save zip archive (PyTorch ≥ 1.6); `options.key` picks a nested state_dict. */
export function openTorchZip(zip: ZipArchive, source: ByteSource, options: LoadOptions = {}): WeightsIndex {
  const limits = resolveLimits(options.limits);
  const pkls = zip.entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pkls.length !== 1) {
    throw fail('E_ZIP_ENTRY', { what: 'torch.save archive', expected: 'one <root>/data.pkl', got: pkls.length === 0 ? 'none' : pkls.map((e) => e.name).join(', '), at: source.name });
  }
  const pkl = pkls[0] as ZipEntry;
  const root = pkl.name.slice(0, -'data.pkl'.length);
  if (zip.get(`${root}constants.pkl`) !== undefined || zip.entries.some((e) => e.name.startsWith(`${root}code/`))) {
    throw fail('E_PICKLE_GLOBAL', {
      what: 'TorchScript archive (torch.jit.save)',
      expected: `a torch.save state_dict; re-save with torch.save(torch.jit.load(path).state_dict(), path), or ${RESAVE}`,
      got: `${root}constants.pkl / ${root}code/`,
      at: source.name,
    });
  }
  // PyTorch 1.x wrote no byteorder record: little-endian.
  const order = zip.get(`${root}byteorder`);
  const byteorder = order === undefined ? 'little' : new TextDecoder().decode(zip.readPrefix(order, MAX_BYTEORDER));
  if (byteorder !== 'little' && byteorder !== 'big') {
    throw fail('E_ZIP_ENTRY', { what: `${root}byteorder`, expected: "'little' or 'big'", got: JSON.stringify(byteorder.slice(0, 20)), at: source.name });
  }
  checkLimit(limits, 'maxHeaderBytes', pkl.uncompressedSize, `size of ${pkl.name}`, source.name);
  const records: Records = {
    size: (k) => zip.get(`${root}data/${k}`)?.uncompressedSize,
    read: (k) => zip.read(zip.get(`${root}data/${k}`) as ZipEntry),
    where: (k) => `${source.name}:${root}data/${k}`,
  };
  const name = `${source.name}:${pkl.name}`;
  const { value } = unpickle(zip.read(pkl), 0, {
    resolveGlobal,
    persistentLoad: (pid, where) => storageFromId(pid, 5, records, where),
    maxOps: limits.maxPickleOps,
    name,
  });
  return indexOf(value, options.key, source.name, name, records, byteorder === 'big', limits);
}

/** Opens a legacy (PyTorch < 1.6) torch.save file; `options.key` picks a nested state_dict. */
export function openTorchLegacy(source: ByteSource, options: LoadOptions = {}): WeightsIndex {
  const limits = resolveLimits(options.limits);
  const pickles = readLegacyPickles(source, limits);
  // Then per key of the list: int64 element count, the bytes.
  const offsets = new Map<string, number>();
  let offset = pickles.end;
  for (const k of pickles.keys) {
    const ref = pickles.storages.get(k);
    if (ref === undefined || offsets.has(k)) {
      throw fail('E_STORAGE_BOUNDS', { what: `legacy storage key "${k}"`, expected: 'a key named once by a persistent id', got: ref === undefined ? 'no persistent id' : 'listed twice', at: at(source.name, offset) });
    }
    const header = readRange(source, offset, 8, `storage "${k}" size`);
    const numel = new DataView(header.buffer, header.byteOffset, 8).getBigInt64(0, true);
    const expected = ref.nbytes / itemSize(ref.dtype ?? 'uint8');
    if (numel !== BigInt(expected)) {
      throw fail('E_STORAGE_BOUNDS', { what: `storage "${k}" element count`, expected: `${expected} (persistent id)`, got: String(numel), at: at(source.name, offset) });
    }
    offsets.set(k, offset + 8);
    offset += 8 + ref.nbytes;
    if (offset > source.size) {
      throw fail('E_TRUNCATED', { what: `storage "${k}"`, expected: `${ref.nbytes} bytes`, got: `${source.size - (offset - ref.nbytes)} bytes left`, at: at(source.name, offset - ref.nbytes) });
    }
  }
  for (const k of pickles.storages.keys()) {
    if (!offsets.has(k)) throw fail('E_STORAGE_BOUNDS', { what: `storage "${k}"`, expected: 'a record after the key list', got: 'none', at: source.name });
  }
  if (offset !== source.size) {
    throw fail('E_TRAILING_BYTES', { what: 'legacy torch.save file', expected: `${offset} bytes (the last storage's end)`, got: String(source.size), at: at(source.name, offset) });
  }
  const records: Records = {
    size: (k) => pickles.storages.get(k)?.nbytes,
    read: (k) => readRange(source, offsets.get(k) as number, (pickles.storages.get(k) as StorageRef).nbytes, `storage "${k}"`),
    where: (k) => `${source.name} storage "${k}"`,
  };
  return indexOf(pickles.main, options.key, source.name, source.name, records, false, limits);
}

/** First bytes read for the legacy pickles; grown ×4 while they run past it, up to maxHeaderBytes. */
const LEGACY_FIRST_READ = 1 << 16;

interface LegacyPickles {
  readonly main: PickleValue;
  /** The storages the persistent ids name, by key. */
  readonly storages: ReadonlyMap<string, StorageRef>;
  /** The storage key list: the order of the records. */
  readonly keys: readonly string[];
  /** Offset of the first record. */
  readonly end: number;
}

/**
 * The five legacy pickles: magic number, protocol version, sys_info, the object, the key list.
 * They lie at the start of the file, so a prefix is read (not the storages after them).
 */
function readLegacyPickles(source: ByteSource, limits: Limits): LegacyPickles {
  const most = Math.min(source.size, limits.maxHeaderBytes);
  for (let n = Math.min(most, LEGACY_FIRST_READ); ; n = Math.min(most, n * 4)) {
    try {
      return parseLegacyPickles(readRange(source, 0, n, 'legacy torch.save pickles'), source.name, limits);
    } catch (e) {
      if (!(isRnnportError(e) && e.code === 'E_TRUNCATED' && n < most)) throw e;
    }
  }
}

function parseLegacyPickles(head: Uint8Array, name: string, limits: Limits): LegacyPickles {
  let ops = limits.maxPickleOps; // shared by the five pickles
  const next = (start: number, persistentLoad: (pid: PickleValue, at: string) => PickleValue): { value: PickleValue; end: number } => {
    const r = unpickle(head, start, { resolveGlobal, persistentLoad, maxOps: ops, name });
    ops -= r.ops;
    return r;
  };
  const noPid = (_pid: PickleValue, where: string): never => {
    throw fail('E_PICKLE_OPCODE', { what: 'persistent id', expected: 'none in the legacy header pickles', got: 'one', at: where });
  };
  const magic = next(0, noPid);
  if (magic.value !== LEGACY_MAGIC) {
    throw fail('E_BAD_MAGIC', { what: 'legacy torch.save magic number', expected: `0x${LEGACY_MAGIC.toString(16)}`, got: describe(magic.value), at: at(name, 0) });
  }
  const protocol = next(magic.end, noPid);
  if (protocol.value !== LEGACY_PROTOCOL) {
    throw fail('E_BAD_MAGIC', { what: 'legacy torch.save protocol version', expected: String(LEGACY_PROTOCOL), got: describe(protocol.value), at: at(name, magic.end) });
  }
  const sysInfo = next(protocol.end, noPid); // byte order and C type sizes: records are little-endian regardless
  // Record sizes are checked against the ids once the key list locates the records.
  const storages = new Map<string, StorageRef>();
  const unsized: Records = { size: () => undefined, read: () => new Uint8Array(0), where: (k) => `${name} storage "${k}"` };
  const main = next(sysInfo.end, (pid, where) => {
    const ref = storageFromId(pid, 6, unsized, where);
    const seen = storages.get(ref.key);
    if (seen !== undefined && seen.nbytes !== ref.nbytes) {
      throw fail('E_STORAGE_BOUNDS', { what: `storage "${ref.key}"`, expected: `${seen.nbytes} bytes, as its first persistent id`, got: `${ref.nbytes}`, at: where });
    }
    storages.set(ref.key, ref);
    return ref;
  });
  const keys = next(main.end, noPid);
  const list = Array.isArray(keys.value) ? keys.value.map(ascii) : [];
  if (!Array.isArray(keys.value) || !list.every((k) => typeof k === 'string')) {
    throw fail('E_PICKLE_OPCODE', { what: 'legacy storage key list', expected: 'a list of str', got: typeName(keys.value), at: at(name, main.end) });
  }
  return { main: main.value, storages, keys: list as string[], end: keys.end };
}

/**
 * persistent_load: `('storage', storage_type, key, location, numel)` (`, view_metadata` in the
 * legacy format, which must be None). The record must hold exactly numel × item size bytes.
 */
function storageFromId(pid: PickleValue, arity: 5 | 6, records: Records, where: string): StorageRef {
  const items = pid instanceof PyTuple ? pid.items.map(ascii) : [];
  const [tag, type, key, location, numel, view] = items;
  if (items.length !== arity || tag !== 'storage' || !(type instanceof StorageType) || typeof key !== 'string' || typeof location !== 'string') {
    throw fail('E_PICKLE_OPCODE', { what: 'persistent id', expected: `('storage', storage_type, key, location, numel${arity === 6 ? ', None' : ''})`, got: pid instanceof PyTuple ? `a ${items.length}-tuple` : typeName(pid), at: where });
  }
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw fail('E_STORAGE_BOUNDS', { what: `storage "${key}" numel`, expected: 'a non-negative int', got: String(numel), at: where });
  }
  if (arity === 6 && view !== null) {
    throw fail('E_PICKLE_OPCODE', { what: 'storage view (PyTorch < 0.4)', expected: `None; re-save with ${RESAVE}`, got: typeName(view as PickleValue), at: where });
  }
  const nbytes = shapeByteLength([numel], type.dtype === null ? 1 : DTYPES[type.dtype].itemSize, `storage "${key}" size`, where);
  const size = records.size(key);
  if (arity === 5 && size !== nbytes) {
    throw fail(size === undefined ? 'E_ZIP_ENTRY' : 'E_STORAGE_BOUNDS', {
      what: `storage record "${key}"`,
      expected: `${nbytes} bytes (${numel} × ${type.qualname})`,
      got: size === undefined ? 'no such record' : `${size} bytes`,
      at: records.where(key),
    });
  }
  return new StorageRef(key, type.dtype, nbytes);
}

/** An int in hex, else the value's type: what a magic-number check found. */
function describe(v: PickleValue): string {
  return typeof v === 'number' || typeof v === 'bigint' ? `0x${v.toString(16)}` : typeName(v);
}

/** Python 2 pickles may spell str values as bytes (torch `_maybe_decode_ascii`). */
function ascii(v: PickleValue): PickleValue {
  return v instanceof Uint8Array ? LATIN1.decode(v) : v;
}

/** The chosen state_dict as a WeightsIndex; `name` is the pickle's, for messages. */
function indexOf(value: PickleValue, key: string | undefined, sourceName: string, name: string, records: Records, bigEndian: boolean, limits: Limits): WeightsIndex {
  const choice: StateDictChoice = chooseStateDict(value, key, name);
  checkLimit(limits, 'maxTensors', choice.tensors.size, 'number of tensors', name);
  const tensors = new Map<string, TensorEntry>();
  for (const [k, t] of choice.tensors) {
    tensors.set(k, { dtype: t.dtype, shape: t.shape, byteLength: shapeByteLength(t.shape, itemSize(t.dtype), `size of tensor "${k}"`, name) });
  }
  let cached: { key: string; bytes: Uint8Array } | undefined; // views often share one storage
  const read = (k: string): Tensor => {
    const t = choice.tensors.get(k) as TensorRef;
    if (cached?.key !== t.storage.key) cached = { key: t.storage.key, bytes: records.read(t.storage.key) };
    return new Tensor(t.dtype, t.shape, typedFromLittleEndian(t.dtype, gather(cached.bytes, t), bigEndian));
  };
  const nesting = choice.stateDictKeys === undefined ? undefined : { stateDictKeys: choice.stateDictKeys, ...(choice.key !== undefined ? { key: choice.key } : {}) };
  return makeIndex('pt', sourceName, { metadata: {}, tensors, read }, limits, nesting);
}

/**
 * The bytes of a strided view in row-major order: element (i_0, …, i_{n−1}) is storage element
 * storage_offset + Σ i_d · stride_d (allowlist.ts checked the view lies inside the storage).
 */
function gather(storage: Uint8Array, t: TensorRef): Uint8Array {
  const size = itemSize(t.dtype);
  const n = t.shape.reduce((a, b) => a * b, 1);
  let contiguous = true;
  for (let d = t.shape.length - 1, expected = 1; d >= 0; d--) {
    const s = t.shape[d] as number;
    if (s !== 1 && t.stride[d] !== expected) contiguous = false;
    expected *= s;
  }
  if (contiguous || n === 0) return storage.subarray(t.storageOffset * size, (t.storageOffset + n) * size);
  const out = new Uint8Array(n * size);
  const nd = t.shape.length;
  const index = new Array<number>(nd).fill(0);
  let src = t.storageOffset;
  for (let i = 0; i < n; i++) {
    const from = src * size;
    for (let b = 0; b < size; b++) out[i * size + b] = storage[from + b] as number;
    for (let d = nd - 1; d >= 0; d--) {
      const stride = t.stride[d] as number;
      src += stride;
      const next = (index[d] as number) + 1;
      if (next < (t.shape[d] as number)) {
        index[d] = next;
        break;
      }
      src -= stride * next;
      index[d] = 0;
    }
  }
  return out;
}
