// Byte-level mutations of valid files (flip, truncate, extend, splice, overwrite a size field):
// every mutant loads or throws an RnnportError, never another exception, within budgets: time,
// bytes read from the source (counted), and the process's peak memory (so a new blow-up fails).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRnnportError } from '../../src/errors.js';
import { loadStateDictSync, openWeights } from '../../src/io/load.js';
import { saveNpy } from '../../src/io/npy.js';
import { saveNpz } from '../../src/io/npz.js';
import { saveSafetensors } from '../../src/io/safetensors.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { buildZip } from '../../scripts/make_malformed.js';
import { countingSource, READ_FACTOR } from '../support/counting-source.js';
import { guardPeakGrowth } from '../support/peak-rss.js';

/** Limits for the mutants: a mutated size field may declare at most this much to materialise or inflate. */
const LIMITS = { maxTotalBytes: 1 << 24, maxInflatedBytes: 1 << 24 };
/** Peak memory growth over the whole file: blow-ups were gigabytes. */
const MAX_GROWTH = 256 * 2 ** 20;
const peak = guardPeakGrowth(MAX_GROWTH);

const interop = (f: string): Uint8Array => new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'interop', f)));
const sd = { 'rnn.weight_ih_l0': tensor([1, 2, 3, 4, 5, 6], [3, 2]), h: new Tensor('float16', [2], new Uint16Array([0x3c00, 0xfc00])), n: tensor(new Float64Array([1]), []) };

const VALID: Record<string, Uint8Array> = {
  safetensors: saveSafetensors(sd, { format: 'pt' }),
  'safetensors (official writer)': interop('official.safetensors'),
  npy: saveNpy(tensor([1, 2, 3, 4, 5, 6], [2, 3])),
  'npy (big-endian)': interop('be_f8.npy'),
  'npy (fortran)': interop('fortran_i2_3d.npy'),
  npz: saveNpz(sd),
  'npz (deflated, numpy)': interop('savez_compressed.npz'),
  'npz (data descriptors)': interop('savez_stream_descriptor.npz'),
  'npz (ZIP64)': buildZip([{ name: 'a.npy', data: saveNpy(tensor([1, 2], [2])), zip64: true, method: 8 }, { name: 'b.npy', data: saveNpy(tensor([3], [1])), zip64: true }], { zip64End: true }),
};

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; tail: Uint8Array }
  | { kind: 'splice'; at: number; remove: number; insert: Uint8Array }
  | { kind: 'field'; at: number; size: 1 | 2 | 4 | 8; value: bigint };

const mutation = (n: number): fc.Arbitrary<Mutation> => {
  const at = fc.integer({ min: 0, max: n - 1 });
  // Size fields sit in the first bytes (headers) and the last ones (zip directory).
  const fieldAt = fc.oneof(fc.integer({ min: 0, max: Math.min(n - 1, 80) }), fc.integer({ min: Math.max(0, n - 200), max: n - 1 }));
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('extend' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('splice' as const), at, remove: fc.integer({ min: 0, max: 8 }), insert: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({
      kind: fc.constant('field' as const),
      at: fieldAt,
      size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      value: fc.oneof(fc.constantFrom(0n, 1n, 0x7fn, 0xffn, 0xffffn, 0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn), fc.bigInt({ min: 0n, max: 0xffffffffffffffffn })),
    }),
  );
};

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (m.kind) {
    case 'flip':
      out[m.at] = (out[m.at] as number) ^ m.xor;
      return out;
    case 'truncate':
      return out.subarray(0, m.at);
    case 'extend':
      return Uint8Array.from([...out, ...m.tail]);
    case 'splice':
      return Uint8Array.from([...out.subarray(0, m.at), ...m.insert, ...out.subarray(m.at + m.remove)]);
    case 'field':
      for (let i = 0; i < m.size && m.at + i < out.length; i++) out[m.at + i] = Number((m.value >> BigInt(8 * i)) & 0xffn);
      return out;
  }
}

describe('mutated valid files load or throw RnnportError', () => {
  for (const [format, bytes] of Object.entries(VALID)) {
    it(format, () => {
      expect(loadStateDictSync(bytes).size).toBeGreaterThan(0);
      let slowest = 0;
      let mostRead = 0;
      fc.assert(
        fc.property(mutation(bytes.length), (m) => {
          const mutant = apply(bytes, m);
          const source = countingSource(mutant);
          const start = performance.now();
          try {
            openWeights(source, { limits: LIMITS }).load();
          } catch (e) {
            if (!isRnnportError(e)) throw e;
          }
          slowest = Math.max(slowest, performance.now() - start);
          mostRead = Math.max(mostRead, source.bytesRead() / (mutant.length + 65536));
        }),
        { numRuns: 300 },
      );
      expect(slowest).toBeLessThan(1000);
      expect(mostRead).toBeLessThanOrEqual(READ_FACTOR);
      expect(peak.growth()).toBeLessThan(MAX_GROWTH);
    });
  }
});
