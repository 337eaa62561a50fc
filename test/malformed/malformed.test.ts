// Every file of the malformed corpus raises its code (cases.json), and the committed corpus is
// exactly what scripts/make_malformed.ts builds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRnnportError, type RnnportErrorCode } from '../../src/errors.js';
import { resolveLimits, type Limits } from '../../src/io/limits.js';
import { loadStateDictSync } from '../../src/io/load.js';
import { parseNpy } from '../../src/io/npy.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { bytesSource } from '../../src/io/source.js';
import { openZip } from '../../src/io/zip.js';
import { buildCorpus } from '../../scripts/make_malformed.js';

const ROOT = import.meta.dirname;
const cases = JSON.parse(readFileSync(join(ROOT, 'cases.json'), 'utf8')) as { file: string; code: RnnportErrorCode; why: string; limits?: Partial<Limits> }[];

/** How each folder's files are opened: the format's own parser, all tensors read. */
const OPEN: Record<string, (bytes: Uint8Array, limits?: Partial<Limits>) => unknown> = {
  safetensors: (b, limits) => parseSafetensors(b, limits),
  npy: (b, limits) => parseNpy(b, '<bytes>', limits),
  npz: (b, limits) => loadStateDictSync(b, limits === undefined ? {} : { limits }),
  zip: (b, limits) => {
    const zip = openZip(bytesSource(b), resolveLimits(limits));
    return zip.entries.map((e) => zip.read(e));
  },
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isRnnportError(e) ? e.code : `not an RnnportError: ${String(e)}`;
  }
  return 'no error';
}

describe('malformed corpus', () => {
  it('holds at least 40 files across safetensors, npy, npz and zip', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.file.split('/')[0]))).toEqual(new Set(['safetensors', 'npy', 'npz', 'zip']));
  });

  it('is what scripts/make_malformed.ts builds, byte for byte', () => {
    const built = buildCorpus();
    expect(built.map(({ file, code, why, limits }) => (limits === undefined ? { file, code, why } : { file, code, why, limits }))).toEqual(cases);
    for (const c of built) expect(new Uint8Array(readFileSync(join(ROOT, c.file))), c.file).toEqual(c.bytes);
  });

  for (const c of cases) {
    it(`${c.file}: ${c.code} (${c.why})`, () => {
      const bytes = new Uint8Array(readFileSync(join(ROOT, c.file)));
      const open = OPEN[c.file.split('/')[0] as string] as (b: Uint8Array, l?: Partial<Limits>) => unknown;
      expect(codeOf(() => open(bytes, c.limits))).toBe(c.code);
    });
  }

  it('loads each corpus file through format sniffing with an RnnportError, never another exception', () => {
    for (const c of cases) {
      const code = codeOf(() => loadStateDictSync(new Uint8Array(readFileSync(join(ROOT, c.file))), c.limits === undefined ? {} : { limits: c.limits }));
      expect(code, c.file).toMatch(/^E_[A-Z_]+$/);
    }
  });
});
