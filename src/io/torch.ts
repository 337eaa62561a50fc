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
 * against the ids before anything else is read. A record named by two ids of different storage
 * types or sizes (FloatStorage and HalfStorage) is E_STORAGE_BOUNDS, in both formats: torch.load
 * would give every tensor on it the first id's dtype, and reinterpreting the bytes per tensor
 * would give other numbers. Tensor bytes are read by `load`, each storage record once per call.
 */
import { itemSize } from '../dtype.js';
import { fail, isRnnportError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { at, byteswapInPlace, readRange, shapeByteLength, typedFromLittleEndian } from './bytes.js';
import { checkLimit, type Limits } from './limits.js';
import { resolveGlobal } from './pickle/allowlist.js';
import { chooseStateDict, type StateDictChoice } from './pickle/state-dicts.js';
import { PyTuple, StorageRef, StorageType, TensorRef, typeName, type PickleValue } from './pickle/values.js';
import { unpickle, WORK_PER_BYTE, type Work } from './pickle/vm.js';
import type { ByteSource } from './source.js';
import { gather } from './strided.js';
import { emptyMetadata, makeIndex, type LoadOptions, type TensorEntry, type WeightsIndex } from './weights-index.js';
import type { InflateBudget, ZipArchive, ZipEntry } from './zip.js';

/** The legacy format's first pickle (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The legacy format's second pickle (PROTOCOL_VERSION). */
const LEGACY_PROTOCOL = 1001;
/** Bytes of the `byteorder` record read ('little' or 'big'). */
const MAX_BYTEORDER = 16;

const RESAVE = 'torch.save(sd, path) with a current PyTorch, or safetensors';
/** Longest storage key: torch writes '0', '1', … (legacy: an object id). */
const MAX_STORAGE_KEY = 256;
const LATIN1 = new TextDecoder('latin1');

/** How a storage's bytes are found: its record's size and a reader for it. */
interface Records {
  size(key: string): number | undefined;
  /** The record's bytes; `budget` (a zip archive's, one per load) is charged for inflating. */
  read(key: string, budget?: InflateBudget): Uint8Array;
  /** A fresh inflate budget for one load (zip archives), or undefined. */
  budget(): InflateBudget | undefined;
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
export function openTorchZip(zip: ZipArchive, source: ByteSource, options: LoadOptions, limits: Limits): WeightsIndex {
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
    read: (k, budget) => zip.read(zip.get(`${root}data/${k}`) as ZipEntry, budget),
    budget: () => zip.budget(),
    where: (k) => `${source.name}:${root}data/${k}`,
  };
  const name = `${source.name}:${pkl.name}`;
  const storages = new Map<string, StorageRef>();
  const pickle = zip.read(pkl);
  const { value } = unpickle(pickle, 0, {
    resolveGlobal,
    persistentLoad: (pid, where, work) => sameStorage(storages, storageFromId(pid, 5, records, where, work), where),
    maxOps: limits.maxPickleOps,
    name,
  });
  return indexOf(value, options, { sourceName: source.name, name, pickleBytes: pickle.byteLength }, records, byteorder === 'big', limits);
}

/** Opens a legacy (PyTorch < 1.6) torch.save file; `options.key` picks a nested state_dict. */
export function openTorchLegacy(source: ByteSource, options: LoadOptions, limits: Limits): WeightsIndex {
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
    const expected = ref.nbytes / ref.itemSize;
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
    budget: () => undefined,
    where: (k) => `${source.name} storage "${k}"`,
  };
  return indexOf(pickles.main, options, { sourceName: source.name, name: source.name, pickleBytes: pickles.end }, records, false, limits);
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
  const next = (start: number, persistentLoad: (pid: PickleValue, at: string, work: Work) => PickleValue): { value: PickleValue; end: number } => {
    const r = unpickle(head, start, { resolveGlobal, persistentLoad, maxOps: ops, name });
    ops -= r.ops;
    return r;
  };
  const noPid = (_pid: PickleValue, where: string, _work: Work): never => {
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
  const unsized: Records = { size: () => undefined, read: () => new Uint8Array(0), budget: () => undefined, where: (k) => `${name} storage "${k}"` };
  const main = next(sysInfo.end, (pid, where, work) => sameStorage(storages, storageFromId(pid, 6, unsized, where, work), where));
  const keys = next(main.end, noPid);
  if (Array.isArray(keys.value) && keys.value.length > storages.size) {
    throw fail('E_STORAGE_BOUNDS', { what: 'legacy storage key list', expected: `one key per storage (${storages.size})`, got: `${keys.value.length} keys`, at: at(name, main.end) });
  }
  const list = Array.isArray(keys.value) ? keys.value.map((k) => ascii(k, MAX_STORAGE_KEY)) : [];
  if (!Array.isArray(keys.value) || !list.every((k) => typeof k === 'string')) {
    throw fail('E_PICKLE_OPCODE', { what: 'legacy storage key list', expected: 'a list of str', got: typeName(keys.value), at: at(name, main.end) });
  }
  return { main: main.value, storages, keys: list as string[], end: keys.end };
}

/**
 * persistent_load: `('storage', storage_type, key, location, numel)` (`, view_metadata` in the
 * legacy format, which must be None). The record must hold exactly numel × item size bytes.
 * Its parts are checked before any is decoded: a pickle may hand the same megabyte-long str or
 * bytes to every id through its memo.
 */
function storageFromId(pid: PickleValue, arity: 5 | 6, records: Records, where: string, work: Work): StorageRef {
  const raw = pid instanceof PyTuple ? pid.items : [];
  const long = raw.find((v) => (typeof v === 'string' || v instanceof Uint8Array) && v.length > MAX_STORAGE_KEY);
  if (long !== undefined) {
    throw fail('E_PICKLE_OPCODE', { what: 'persistent id', expected: `str parts of at most ${MAX_STORAGE_KEY} characters`, got: `one of ${(long as string | Uint8Array).length}`, at: where });
  }
  work(raw.length);
  const items = raw.map((v) => ascii(v, MAX_STORAGE_KEY));
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
  const nbytes = shapeByteLength([numel], type.itemSize, `storage "${key}" size`, where);
  const size = records.size(key);
  if (arity === 5 && size !== nbytes) {
    throw fail(size === undefined ? 'E_ZIP_ENTRY' : 'E_STORAGE_BOUNDS', {
      what: `storage record "${key}"`,
      expected: `${nbytes} bytes (${numel} × ${type.qualname})`,
      got: size === undefined ? 'no such record' : `${size} bytes`,
      at: records.where(key),
    });
  }
  return new StorageRef(key, type.dtype, nbytes, type.opaque, type.itemSize);
}

/**
 * The storage every id of `ref.key` names: the first one. A later id with another storage type
 * or size is E_STORAGE_BOUNDS (see the file comment).
 */
function sameStorage(storages: Map<string, StorageRef>, ref: StorageRef, where: string): StorageRef {
  const seen = storages.get(ref.key);
  if (seen === undefined) {
    storages.set(ref.key, ref);
    return ref;
  }
  const kind = (r: StorageRef): string => `${r.nbytes} bytes of ${r.dtype ?? r.opaque ?? 'untyped'}`;
  if (kind(seen) !== kind(ref)) {
    throw fail('E_STORAGE_BOUNDS', { what: `storage "${ref.key}"`, expected: `one storage type and size for every persistent id (${kind(seen)}, as its first)`, got: kind(ref), at: where });
  }
  return seen;
}

/** An int in hex, else the value's type: what a magic-number check found. */
function describe(v: PickleValue): string {
  return typeof v === 'number' || typeof v === 'bigint' ? `0x${v.toString(16)}` : typeName(v);
}

/** Python 2 pickles may spell str values as bytes (torch `_maybe_decode_ascii`); longer than `max`, left as bytes. */
function ascii(v: PickleValue, max: number): PickleValue {
  return v instanceof Uint8Array && v.length <= max ? LATIN1.decode(v) : v;
}

/** Names of a pickle for messages and its size for the state_dict search's budget. */
interface PickleSource {
  readonly sourceName: string;
  /** The pickle's name in messages (the archive member, or the file). */
  readonly name: string;
  readonly pickleBytes: number;
}

/** The chosen state_dict as a WeightsIndex; every nested one is listed with its tensors. */
function indexOf(value: PickleValue, options: LoadOptions, src: PickleSource, records: Records, bigEndian: boolean, limits: Limits): WeightsIndex {
  const choice: StateDictChoice = chooseStateDict(value, options.key, src.name, {
    whenAmbiguous: options.whenAmbiguous ?? 'throw',
    maxChars: WORK_PER_BYTE * src.pickleBytes + (1 << 20),
  });
  const entries = (tensors: ReadonlyMap<string, TensorRef>): Map<string, TensorEntry> => {
    checkLimit(limits, 'maxTensors', tensors.size, 'number of tensors', src.name);
    const out = new Map<string, TensorEntry>();
    for (const [k, t] of tensors) {
      out.set(k, { dtype: t.dtype, shape: t.shape, byteLength: shapeByteLength(t.shape, itemSize(t.dtype), `size of tensor "${k}"`, src.name) });
    }
    return out;
  };
  const tensors = entries(choice.tensors);
  const read = (k: string): Tensor => readMany([k]).get(k) as Tensor;
  // Tensors grouped by storage: each record is read (and inflated) once per call, then dropped.
  const readMany = (names: readonly string[]): Map<string, Tensor> => {
    const byStorage = new Map<string, string[]>();
    for (const k of names) {
      const key = (choice.tensors.get(k) as TensorRef).storage.key;
      (byStorage.get(key) ?? byStorage.set(key, []).get(key) as string[]).push(k);
    }
    const made = new Map<string, Tensor>();
    const budget = records.budget();
    for (const [key, group] of byStorage) {
      const record = records.read(key, budget);
      for (const k of group) made.set(k, materialise(record, choice.tensors.get(k) as TensorRef, bigEndian));
    }
    return new Map(names.map((k) => [k, made.get(k) as Tensor]));
  };
  const stateDicts = choice.stateDicts?.map((d) => ({ key: d.key, tensors: d.tensors === choice.tensors ? tensors : entries(d.tensors) }));
  const nesting =
    choice.stateDictKeys === undefined || stateDicts === undefined
      ? undefined
      : { stateDictKeys: choice.stateDictKeys, stateDicts, ...(choice.key !== undefined ? { key: choice.key } : {}) };
  return makeIndex('pt', src.sourceName, { metadata: emptyMetadata(), tensors, read, readMany }, limits, nesting);
}

/** One tensor from its storage record: the view gathered once, byte-swapped in place if it is a copy. */
function materialise(record: Uint8Array, t: TensorRef, bigEndian: boolean): Tensor {
  const { bytes, fresh } = gather(record, t);
  if (fresh && bigEndian) return new Tensor(t.dtype, t.shape, typedFromLittleEndian(t.dtype, byteswapInPlace(bytes, itemSize(t.dtype))));
  return new Tensor(t.dtype, t.shape, typedFromLittleEndian(t.dtype, bytes, bigEndian));
}
