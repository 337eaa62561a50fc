/**
 * Every golden case (real PyTorch results, scripts/gen_golden.py) through every weights format
 * it ships, on the reference engine and on the fast engine (the kernel build RNNPORT_TEST_SIMD
 * names, as `rnnport conformance --engine fast --simd …` runs it; float64 too), with the case's
 * own tolerance.
 *
 * RNNPORT_RECORD_MEASURED=1 also writes each case's measured errors into golden/MANIFEST.json
 * (`measured`), which gen_golden.py keeps while the case's files do not change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultGoldenDir,
  listGoldenCases,
  runGoldenCase,
  type GoldenResult,
} from '../../src/cli/golden.js';
import type { SimdOption } from '../../src/config.js';
import { caseHash, describeFailures, type Manifest } from './manifest.js';

const DIR = defaultGoldenDir();
const CASES = listGoldenCases(DIR);
const ENGINES = ['reference', 'fast'] as const;
const simd = (process.env.RNNPORT_TEST_SIMD ?? 'auto') as SimdOption;

const measured = new Map<string, GoldenResult[]>();

describe('golden cases', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      for (const engine of ENGINES) {
        for (const format of c.formats) {
          it(`${format}, ${engine} engine`, async () => {
            const result = await runGoldenCase(c, format, { engine, ...(engine === 'fast' && { simd }) });
            measured.set(c.name, [...(measured.get(c.name) ?? []), result]);
            const failures = describeFailures(result, c.spec);
            if (failures.length > 0) expect.fail(failures.join('\n'));
          });
        }
      }
    });
  }
});

describe('golden/MANIFEST.json', () => {
  const manifest = JSON.parse(readFileSync(join(DIR, 'MANIFEST.json'), 'utf8')) as Manifest;

  it('lists exactly the case folders, at least 150, from PyTorch 2.x and 1.13', () => {
    expect(manifest.schema).toBe(1);
    expect(manifest.cases.map((e) => e.name)).toEqual(CASES.map((c) => c.name));
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CASES.map((c) => c.spec.torch.split('.')[0]))).toEqual(new Set(['1', '2']));
  });

  it('holds each case folder\'s sha256: the files are as gen_golden.py wrote them', () => {
    const stale = manifest.cases.filter((e) => caseHash(join(DIR, e.name)) !== e.sha256).map((e) => e.name);
    expect(stale).toEqual([]);
  });
});

afterAll(() => {
  if (process.env['RNNPORT_RECORD_MEASURED'] !== '1') return;
  const path = join(DIR, 'MANIFEST.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  for (const entry of manifest.cases) {
    const results = measured.get(entry.name);
    if (results === undefined) continue;
    const maxAbs = (engine: string): number =>
      Math.max(0, ...results.filter((r) => r.engine === engine).flatMap((r) => r.tensors.map((t) => t.result.maxAbs)));
    const ran = [...new Set(results.map((r) => r.engine))].sort();
    entry.measured = {
      formats: [...new Set(results.map((r) => r.format))],
      max_abs: Object.fromEntries(ran.map((engine) => [engine, maxAbs(engine)])),
    };
  }
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
});
