/**
 * Bytes → state_dict. The format is sniffed from the bytes, never from a file extension:
 *   "\x93NUMPY"            npy: one tensor, named after the file without `.npy`, or `arr_0` for
 *                          bytes without a file name (numpy's name for an unnamed array)
 *   "PK\x03\x04"/"PK\x05\x06"  zip: a torch.save archive if it holds `<root>/data.pkl`, else npz
 *   byte 8 = '{'           safetensors (u64 header length, then the JSON header)
 *   0x80 (pickle PROTO)    legacy torch.save
 * `openWeights` reads only headers / zip directories; `WeightsIndex.load` reads tensor bytes.
 */
import { badArgument, fail } from '../errors.js';
import type { StateDict } from '../tensor.js';
import { resolveLimits } from './limits.js';
import { openNpy, NPY_MAGIC } from './npy.js';
import { openNpz } from './npz.js';
import { openSafetensors } from './safetensors.js';
import { bytesSource, type ByteSource } from './source.js';
import { isTorchZip, openTorchLegacy, openTorchZip } from './torch.js';
import { makeIndex, type LoadOptions, type WeightsFormat, type WeightsIndex } from './weights-index.js';
import { openZip } from './zip.js';

export type { LoadOptions, NestedStateDict, OpenedTensors, TensorEntry, WeightsFormat, WeightsIndex } from './weights-index.js';

/** Checks the options object every loader takes (E_BAD_ARGUMENT naming `api`). */
export function checkLoadOptions(api: string, options: unknown): LoadOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw badArgument(`${api} options`, 'an object ({ limits?, key?, whenAmbiguous? })', options);
  const o = options as Record<string, unknown>;
  if (o['key'] !== undefined && typeof o['key'] !== 'string') throw badArgument(`${api} options.key`, 'a string (a dot path such as "model")', o['key']);
  if (o['whenAmbiguous'] !== undefined && o['whenAmbiguous'] !== 'throw' && o['whenAmbiguous'] !== 'open') {
    throw badArgument(`${api} options.whenAmbiguous`, "'throw' or 'open'", o['whenAmbiguous']);
  }
  return options as LoadOptions;
}

function checkSource(api: string, source: unknown): ByteSource {
  const s = source as Partial<ByteSource> | null;
  if (typeof s !== 'object' || s === null || typeof s.read !== 'function' || typeof s.name !== 'string' || typeof s.size !== 'number' || !Number.isSafeInteger(s.size) || s.size < 0) {
    throw badArgument(`${api}(source)`, 'a ByteSource { size, name, read(offset, length) } (bytesSource(bytes) makes one)', source);
  }
  return s as ByteSource;
}

/**
 * Opens any supported format, sniffed from the bytes; reads headers only.
 * @see safetensors.safe_open
 */
export function openWeights(source: ByteSource, options?: LoadOptions): WeightsIndex {
  checkSource('openWeights', source);
  const opts = checkLoadOptions('openWeights', options);
  const limits = resolveLimits(opts.limits, source.size);
  if (source.size === 0) throw fail('E_TRUNCATED', { what: 'weights', expected: 'a non-empty source', got: '0 bytes', at: source.name });
  const head = source.read(0, Math.min(source.size, 9));
  const noKey = (format: WeightsFormat): void => {
    if (opts.key !== undefined) throw fail('E_BAD_OPTION', { what: 'key', expected: `no key (only .pt checkpoints nest state_dicts; this is ${format})`, got: JSON.stringify(opts.key), at: source.name });
  };
  if (NPY_MAGIC.every((b, i) => head[i] === b)) {
    noKey('npy');
    return makeIndex('npy', source.name, openNpy(source, limits, npyTensorName(source.name)), limits);
  }
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) {
    const zip = openZip(source, limits);
    if (isTorchZip(zip)) return openTorchZip(zip, source, opts, limits);
    noKey('npz');
    return makeIndex('npz', source.name, openNpz(source, zip, limits), limits);
  }
  if (head.length === 9 && head[8] === 0x7b) {
    noKey('safetensors');
    return makeIndex('safetensors', source.name, openSafetensors(source, limits), limits);
  }
  if (head[0] === 0x80) return openTorchLegacy(source, opts, limits);
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
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) throw badArgument('loadStateDictSync(bytes)', 'a Uint8Array or ArrayBuffer', bytes);
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return openWeights(bytesSource(u8), checkLoadOptions('loadStateDictSync', options)).load();
}

/** Anything `loadStateDict` reads bytes from: bytes, a Blob / File, or a fetch Response. */
export type WeightsInput = Uint8Array | ArrayBuffer | Blob | Response;

/**
 * Loads every tensor of weights held in memory, a Blob / File or a fetch Response; the format is
 * sniffed from the bytes. A Response that is not ok is E_IO. Browser-safe.
 * @see torch.load / safetensors.torch.load_file
 */
export async function loadStateDict(source: WeightsInput, options?: LoadOptions): Promise<StateDict> {
  const opts = checkLoadOptions('loadStateDict', options);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return loadStateDictSync(source, opts);
  const named = (typeof source === 'object' && source !== null ? source : {}) as { name?: unknown; url?: unknown; ok?: unknown; status?: unknown; arrayBuffer?: unknown };
  if (typeof named.arrayBuffer !== 'function') throw badArgument('loadStateDict(source)', 'a Uint8Array, ArrayBuffer, Blob or Response', source);
  const name = typeof named.name === 'string' && named.name !== '' ? named.name : typeof named.url === 'string' && named.url !== '' ? named.url : '<bytes>';
  if (named.ok === false) throw fail('E_IO', { what: 'fetch response', expected: 'a 2xx status', got: `HTTP ${String(named.status)}`, at: name });
  const bytes = new Uint8Array(await (source as Blob).arrayBuffer());
  return openWeights(bytesSource(bytes, name), opts).load();
}
