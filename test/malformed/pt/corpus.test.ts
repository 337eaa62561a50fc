import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRnnportError } from '../../../src/errors.js';
import { openWeights } from '../../../src/io/load.js';
import { bytesSource } from '../../../src/io/source.js';

/** The adversarial .pt corpus (scripts/gen_pt_fixtures.py): each file asserts its error code. */
const DIR = new URL('./', import.meta.url);
/** What every code-running payload in the corpus would create (the generator proved they do in Python). */
const MARKER = '/tmp/rnnport-pickle-payload-ran';

interface Case {
  file: string;
  code: string;
  why: string;
  key?: string;
  /** 'load': the file opens and the error comes when tensor bytes are read. */
  phase?: 'load';
}

const cases = JSON.parse(readFileSync(new URL('cases.json', DIR), 'utf8')) as Case[];

describe('adversarial .pt corpus', () => {
  rmSync(MARKER, { force: true });

  for (const c of cases) {
    it(`${c.file}: ${c.why} → ${c.code}`, () => {
      const source = bytesSource(readFileSync(new URL(c.file, DIR)), c.file);
      let phase = 'open';
      try {
        const index = openWeights(source, c.key === undefined ? {} : { key: c.key });
        phase = 'load';
        index.load();
        phase = 'none';
      } catch (e) {
        if (!isRnnportError(e)) throw e;
        expect({ code: e.code, phase }).toEqual({ code: c.code, phase: c.phase ?? 'open' });
        return;
      }
      expect.unreachable(`${c.file} loaded`);
    });
  }

  it('ran none of the payloads', () => {
    expect(cases.length).toBeGreaterThan(40);
    expect(existsSync(MARKER)).toBe(false);
  });
});
