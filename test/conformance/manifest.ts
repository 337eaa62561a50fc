/** Helpers of the conformance test: golden/MANIFEST.json's shape, its case hash, failure text. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyGoldenSpec, GoldenResult } from '../../src/cli/golden.js';

export interface ManifestEntry {
  readonly name: string;
  readonly module: string;
  readonly torch: string;
  readonly covers: string;
  readonly sha256: string;
  /** Written by golden.test.ts with RNNPORT_RECORD_MEASURED=1: max abs error per engine that ran. */
  measured?: { formats: string[]; max_abs: Record<string, number> };
}

export interface Manifest {
  readonly schema: 1;
  readonly generator: string;
  readonly versions: readonly { torch: string; numpy: string; python: string }[];
  readonly count: number;
  readonly cases: ManifestEntry[];
}

/**
 * sha256 over a case folder, as gen_golden.py's case_hash computes it: files grouped by folder
 * (folders in sorted order), sorted by name, each as `relative/path` NUL contents.
 */
export function caseHash(dir: string): string {
  const files: [string, string][] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.push([rel, path]);
    }
  };
  walk('');
  files.sort(([da, a], [db, b]) => (da === db ? (a < b ? -1 : 1) : da < db ? -1 : 1));
  const hash = createHash('sha256');
  for (const [, path] of files) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(dir, path)));
  }
  return hash.digest('hex');
}

/** One line per config mismatch and per failed tensor: case, format, tensor, worst index with both values, errors, tolerance. */
export function describeFailures(result: GoldenResult, spec: AnyGoldenSpec): string[] {
  const config = result.configMismatches.map((m) => `${result.case} [${result.format}] module config: ${m}`);
  return config.concat(result.tensors
    .filter((t) => !t.result.ok)
    .map(({ tensor, gotShape, expectedShape, result: r }) => {
      const where = !r.shapeOk
        ? `shape (${gotShape.join(', ')}), expected (${expectedShape.join(', ')})`
        : r.worst === undefined
          ? 'no elements'
          : `worst at [${r.worst.index.join(', ')}]: got ${r.worst.got}, expected ${r.worst.expected}`;
      return (
        `${result.case} [${result.format}] ${tensor}: ${where}; max abs ${r.maxAbs}, ` +
        `${r.mismatches} element(s) out of atol ${spec.atol} + rtol ${spec.rtol}·|expected|`
      );
    }));
}
