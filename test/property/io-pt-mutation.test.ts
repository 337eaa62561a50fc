/**
 * Any mutation of a valid .pt file loads or throws RnnportError, within budgets: time, bytes read
 * from the source (counted) and the process's peak memory, so a new blow-up fails a test.
 * Mutating the raw archive mostly trips the zip CRC, so the pickle is also mutated and re-zipped
 * with correct CRCs, and legacy files (no CRC) are mutated in place.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRnnportError } from '../../src/errors.js';
import { openWeights } from '../../src/io/load.js';
import { bytesSource } from '../../src/io/source.js';
import { openZip } from '../../src/io/zip.js';
import { writeStoredZip } from '../../src/io/zip-writer.js';
import { DEFAULT_LIMITS } from '../../src/io/limits.js';
import { countingSource, READ_FACTOR } from '../support/counting-source.js';
import { guardPeakGrowth } from '../support/peak-rss.js';

/** Peak memory growth over the whole file: blow-ups were gigabytes. */
const MAX_GROWTH = 256 * 2 ** 20;
guardPeakGrowth(MAX_GROWTH);

const RUNS = { numRuns: 300 };
/** Per-file budget: small files, so anything slower is a hang or a blow-up. */
const MAX_MS = 1000;
const FIXTURES = new URL('../fixtures/pt/', import.meta.url);
const ZIPS = ['state_dict_t213.pt', 'checkpoint_t113.pt', 'views_t213.pt', 'dtypes_v3_t213.pt', 'numpy_scalar_t213.pt', 'protocol4_t113.pt'];
const LEGACY = ['legacy_t113.pt', 'legacy_t213.pt'];
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(f, FIXTURES)));

type Mutation = { kind: 'set'; at: number; byte: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'delete'; at: number; n: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Array.from(bytes);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'set') b[at] = m.byte;
    else if (m.kind === 'cut') b = b.slice(0, at);
    else if (m.kind === 'insert') b.splice(at, 0, ...m.bytes);
    else b.splice(at, m.n);
  }
  return Uint8Array.from(b);
}

/** Loads or throws RnnportError, within MAX_MS and READ_FACTOR × its size read; anything else fails the property. */
function loadsOrRejects(bytes: Uint8Array): void {
  const source = countingSource(bytes, 'mutant.pt');
  const start = performance.now();
  try {
    openWeights(source, { limits: { maxTotalBytes: 1 << 24, maxInflatedBytes: 1 << 24 } }).load();
  } catch (e) {
    if (!isRnnportError(e)) throw e;
  }
  expect(performance.now() - start).toBeLessThan(MAX_MS);
  expect(source.bytesRead()).toBeLessThanOrEqual(READ_FACTOR * bytes.length + 65536);
}

function rezip(file: string, mutations: readonly Mutation[]): Uint8Array {
  const bytes = read(file);
  const zip = openZip(bytesSource(bytes), DEFAULT_LIMITS);
  return writeStoredZip(zip.entries.map((e) => ({ name: e.name, data: e.name.endsWith('data.pkl') ? mutate(zip.read(e), mutations) : zip.read(e) })));
}

describe('mutated .pt files', () => {
  it('raw archive mutations load or throw RnnportError', () => {
    fc.assert(fc.property(fc.constantFrom(...ZIPS), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (f, ms) => loadsOrRejects(mutate(read(f), ms))), RUNS);
  });

  it('pickle mutations (re-zipped with valid CRCs) load or throw RnnportError', () => {
    fc.assert(fc.property(fc.constantFrom(...ZIPS), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (f, ms) => loadsOrRejects(rezip(f, ms))), RUNS);
  });

  it('legacy file mutations load or throw RnnportError', () => {
    fc.assert(fc.property(fc.constantFrom(...LEGACY), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (f, ms) => loadsOrRejects(mutate(read(f), ms))), RUNS);
  });
});
