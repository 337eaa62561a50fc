/**
 * npz: a zip of `<name>.npy` members, stored (`np.savez`) or deflated (`np.savez_compressed`).
 * The archive is validated by zip.ts; each member's npy header is read by inflating only its
 * first bytes, and its data when the tensor is loaded. Member `<name>.npy` is tensor `<name>`, as
 * `numpy.lib.npyio.NpzFile` names them; any other member is E_ZIP_ENTRY.
 */
import { fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { at } from './bytes.js';
import { checkLimit, type Limits } from './limits.js';
import { checkNpyDataLength, decodeNpyData, npyPreambleLength, parseNpyHeader, saveNpy, type NpyHeader } from './npy.js';
import type { ByteSource } from './source.js';
import type { InflateBudget, ZipArchive, ZipEntry } from './zip.js';
import { writeStoredZip } from './zip-writer.js';
import { emptyMetadata, type OpenedTensors } from './weights-index.js';
import { tensorEntries } from './writer-args.js';

const SUFFIX = '.npy';

/** Reads the npy header of every member of an opened npz archive. */
export function openNpz(source: ByteSource, zip: ZipArchive, limits: Limits): OpenedTensors {
  checkLimit(limits, 'maxTensors', zip.entries.length, 'number of npz members', source.name);
  const members = new Map<string, { entry: ZipEntry; header: NpyHeader }>();
  for (const entry of zip.entries) {
    const where = `${source.name}:${entry.name}`;
    if (!entry.name.endsWith(SUFFIX)) {
      throw fail('E_ZIP_ENTRY', { what: 'npz member name', expected: `<name>${SUFFIX}`, got: JSON.stringify(entry.name), at: at(source.name, entry.localHeaderOffset) });
    }
    const length = npyPreambleLength(zip.readPrefix(entry, 12), where, limits);
    if (length > entry.uncompressedSize) {
      throw fail('E_TRUNCATED', { what: 'npy header', expected: `${length} bytes`, got: String(entry.uncompressedSize), at: where });
    }
    const header = parseNpyHeader(zip.readPrefix(entry, length), where);
    checkNpyDataLength(header, entry.uncompressedSize - length, where);
    members.set(entry.name.slice(0, -SUFFIX.length), { entry, header });
  }
  const tensors = new Map([...members].map(([name, { header }]) => [name, { dtype: header.dtype, shape: header.shape, byteLength: header.byteLength }]));
  const readOne = (name: string, budget: InflateBudget): Tensor => {
    const { entry, header } = members.get(name) as { entry: ZipEntry; header: NpyHeader };
    const bytes = zip.read(entry, budget);
    return new Tensor(header.dtype, header.shape, decodeNpyData(header, bytes.subarray(header.dataOffset)));
  };
  return {
    metadata: emptyMetadata(),
    tensors,
    read: (name) => readOne(name, zip.budget()),
    // One inflate budget per load: the members read together share it.
    readMany(names) {
      const budget = zip.budget();
      return new Map(names.map((name) => [name, readOne(name, budget)]));
    },
  };
}

/**
 * Serialises tensors as an npz of stored `<name>.npy` members with fixed timestamps, so the same
 * input gives the same bytes (`np.savez` stamps the current time).
 * @see numpy.savez
 */
export function saveNpz(tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>): Uint8Array<ArrayBuffer> {
  const entries = tensorEntries('saveNpz', tensors);
  return writeStoredZip(entries.map(([name, t]) => ({ name: `${name}${SUFFIX}`, data: saveNpy(t) })));
}
