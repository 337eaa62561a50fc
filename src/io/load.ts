/**
 * Bytes → state_dict. The format is sniffed from the bytes, never from a file extension:
 *   "\x93NUMPY"            npy: one tensor, named after the file without `.npy`, or `arr_0` for
 *                          bytes without a file name (numpy's name for an unnamed array)
 *   "PK\x03\x04"/"PK\x05\x06"  zip: a torch.save archive if it holds `<root>/data.pkl`, else npz
 *   byte 8 = '{'           safetensors (u64 header length, then the JSON header)
 *   0x80 (pickle PROTO)    legacy torch.save
 * `openWeights` reads only headers / zip directories; `WeightsIndex.load` reads tensor bytes.
 */
import { fail } from '../errors.js';
import type { StateDict, Tensor, TensorInfo } from '../tensor.js';
import { checkLimit, resolveLimits, type Limits } from './limits.js';
import { openNpy, NPY_MAGIC } from './npy.js';
import { openNpz } from './npz.js';
import { openSafetensors } from './safetensors.js';
import { bytesSource, type ByteSource } from './source.js';
import { isTorchZip, openTorchLegacy, openTorchZip } from './torch.js';
import { openZip } from './zip.js';

/** The formats rnnport reads. */
export type WeightsFormat = 'safetensors' | 'npz' | 'npy' | 'npy-dir' | 'pt';

/** Options of every loader. */
export interface LoadOptions {
  /** Overrides of DEFAULT_LIMITS. */
  readonly limits?: Partial<Limits>;
  /** .pt only: dot path of a nested state_dict (`model`, `ema.model`). Other formats: E_BAD_OPTION. */
  readonly key?: string;
}

/** A tensor as a header describes it, before its bytes are read. */
export type TensorEntry = TensorInfo & { readonly byteLength: number };

/** An opened weights source: headers parsed and validated, tensor bytes read by `load`. */
export interface WeightsIndex {
  readonly format: WeightsFormat;
  /** The source's name (file path, or `<bytes>`). */
  readonly name: string;
  /** safetensors `__metadata__`; empty for other formats. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Every tensor, in file order. */
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /** .pt: the keys of the nested dicts that hold tensors (for `--key`). */
  readonly stateDictKeys?: readonly string[];
  /** .pt: the key used. */
  readonly key?: string;
  /**
   * Reads tensors (all, or the given names) into a state_dict in file order. An unknown name is
   * E_KEY_NOT_FOUND; more than `limits.maxTotalBytes` in all is E_LIMIT.
   */
  load(names?: Iterable<string>): StateDict;
}

/** What a format's opener returns: validated headers and a reader for one tensor. */
export interface OpenedTensors {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /** Reads one tensor named in `tensors`. */
  read(name: string): Tensor;
}

/** Wraps an opener's result into a WeightsIndex (shared by every format, .pt included). */
export function makeIndex(
  format: WeightsFormat,
  name: string,
  opened: OpenedTensors,
  limits: Limits,
  nesting?: { readonly stateDictKeys: readonly string[]; readonly key?: string },
): WeightsIndex {
  const index: WeightsIndex = {
    format,
    name,
    metadata: opened.metadata,
    tensors: opened.tensors,
    load(names?: Iterable<string>): StateDict {
      const wanted = names === undefined ? undefined : new Set(names);
      let total = 0;
      for (const n of wanted ?? opened.tensors.keys()) {
        const entry = opened.tensors.get(n);
        if (entry === undefined) throw fail('E_KEY_NOT_FOUND', { what: 'tensor', expected: `one of the ${opened.tensors.size} tensors of ${name}`, got: JSON.stringify(n), at: name });
        total += entry.byteLength;
      }
      checkLimit(limits, 'maxTotalBytes', total, 'bytes to load', name);
      const sd: StateDict = new Map();
      for (const n of opened.tensors.keys()) if (wanted === undefined || wanted.has(n)) sd.set(n, opened.read(n));
      return sd;
    },
  };
  return nesting === undefined ? index : { ...index, ...nesting };
}

/**
 * Opens any supported format, sniffed from the bytes; reads headers only.
 * @see safetensors.safe_open
 */
export function openWeights(source: ByteSource, options: LoadOptions = {}): WeightsIndex {
  const limits = resolveLimits(options.limits);
  if (source.size === 0) throw fail('E_TRUNCATED', { what: 'weights', expected: 'a non-empty source', got: '0 bytes', at: source.name });
  const head = source.read(0, Math.min(source.size, 9));
  const noKey = (format: WeightsFormat): void => {
    if (options.key !== undefined) throw fail('E_BAD_OPTION', { what: 'key', expected: `no key (only .pt checkpoints nest state_dicts; this is ${format})`, got: JSON.stringify(options.key), at: source.name });
  };
  if (NPY_MAGIC.every((b, i) => head[i] === b)) {
    noKey('npy');
    return makeIndex('npy', source.name, openNpy(source, limits, npyTensorName(source.name)), limits);
  }
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) {
    const zip = openZip(source, limits);
    if (isTorchZip(zip)) return openTorchZip(zip, source, options);
    noKey('npz');
    return makeIndex('npz', source.name, openNpz(source, zip, limits), limits);
  }
  if (head.length === 9 && head[8] === 0x7b) {
    noKey('safetensors');
    return makeIndex('safetensors', source.name, openSafetensors(source, limits), limits);
  }
  if (head[0] === 0x80) return openTorchLegacy(source, options);
  throw fail('E_BAD_MAGIC', {
    what: 'weights format',
    expected: 'safetensors, npz, npy or .pt',
    got: `bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    at: source.name,
  });
}

/** The tensor name of a single npy source: the file's base name without `.npy`, or `arr_0`. */
export function npyTensorName(sourceName: string): string {
  if (sourceName.startsWith('<')) return 'arr_0';
  const base = sourceName.slice(Math.max(sourceName.lastIndexOf('/'), sourceName.lastIndexOf('\\')) + 1);
  return base.endsWith('.npy') ? base.slice(0, -4) : base;
}

/**
 * Loads every tensor of in-memory weights (safetensors, npz, npy or .pt, sniffed). Browser-safe.
 * Tensors may be views of `bytes` (no copy) where alignment allows.
 * @see torch.load / safetensors.torch.load_file
 */
export function loadStateDictSync(bytes: Uint8Array | ArrayBuffer, options?: LoadOptions): StateDict {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return openWeights(bytesSource(u8), options).load();
}

/** Anything `loadStateDict` reads bytes from: bytes, a Blob / File, or a fetch Response. */
export type WeightsInput = Uint8Array | ArrayBuffer | Blob | Response;

/**
 * Loads every tensor of weights held in memory, a Blob / File or a fetch Response; the format is
 * sniffed from the bytes. A Response that is not ok is E_IO. Browser-safe.
 * @see torch.load / safetensors.torch.load_file
 */
export async function loadStateDict(source: WeightsInput, options?: LoadOptions): Promise<StateDict> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return loadStateDictSync(source, options);
  const named = source as { name?: unknown; url?: unknown; ok?: unknown; status?: unknown; arrayBuffer?: unknown };
  if (typeof named.arrayBuffer !== 'function') {
    throw fail('E_BAD_OPTION', { what: 'loadStateDict source', expected: 'a Uint8Array, ArrayBuffer, Blob or Response', got: Object.prototype.toString.call(source) });
  }
  const name = typeof named.name === 'string' && named.name !== '' ? named.name : typeof named.url === 'string' && named.url !== '' ? named.url : '<bytes>';
  if (named.ok === false) throw fail('E_IO', { what: 'fetch response', expected: 'a 2xx status', got: `HTTP ${String(named.status)}`, at: name });
  const bytes = new Uint8Array(await (source as Blob).arrayBuffer());
  return openWeights(bytesSource(bytes, name), options).load();
}
