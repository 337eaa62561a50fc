/**
 * The golden cases on disk: folders of PyTorch results written by scripts/gen_golden.py (its
 * docstring documents case.json), read from this package's golden/ (or `--golden DIR`) and run
 * by the browser-safe runner in src/conformance/golden.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GOLDEN_FORMATS,
  runGoldenSpec,
  type GoldenFiles,
  type GoldenFormat,
  type GoldenResult,
  type AnyGoldenSpec,
  type RunGoldenOptions,
} from '../conformance/golden.js';
import { fail, ioError } from '../errors.js';
import { openStateDict, readNpyFile } from '../node.js';

export { GOLDEN_FORMATS, type AnyGoldenSpec, type GoldenFormat, type GoldenResult, type GoldenSpec, type RunGoldenOptions } from '../conformance/golden.js';

/** One case folder. */
export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly spec: AnyGoldenSpec;
  /** The weights formats this case ships, in GOLDEN_FORMATS order. */
  readonly formats: readonly GoldenFormat[];
}

/** golden/ of this package, found from this file's URL (works from src/, dist/ and node_modules). */
export function defaultGoldenDir(): string {
  return fileURLToPath(new URL('../../golden/', import.meta.url));
}

/** The cases under `dir` whose name contains `filter`, sorted by name. An unreadable folder or case.json is E_IO. */
export function listGoldenCases(dir: string, filter?: string): GoldenCase[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && (filter === undefined || e.name.includes(filter)))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw ioError('golden directory', dir, e, 'a readable golden case folder');
  }
  return names.map((name) => {
    const caseDir = join(dir, name);
    const path = join(caseDir, 'case.json');
    let spec: AnyGoldenSpec;
    try {
      spec = JSON.parse(readFileSync(path, 'utf8')) as AnyGoldenSpec;
    } catch (e) {
      throw ioError('golden case.json', path, e, 'a readable golden case folder');
    }
    if (spec.schema !== 1 || spec.name !== name) {
      throw fail('E_BAD_OPTION', { what: 'golden case.json', expected: `schema 1, name "${name}"`, got: `schema ${spec.schema}, name "${spec.name}"`, at: path });
    }
    return { name, dir: caseDir, spec, formats: GOLDEN_FORMATS.filter((f) => spec.weights[f] !== undefined) };
  });
}

/** A case folder's files: weights opened lazily by path (`openStateDict`), .npy files read from disk. */
function folderFiles(c: GoldenCase): GoldenFiles {
  return {
    stateDict: (format) => {
      const file = c.spec.weights[format] as string;
      return openStateDict(join(c.dir, file), format === 'pt' && c.spec.pt_key !== null ? { key: c.spec.pt_key } : {}).load();
    },
    tensor: (file) => readNpyFile(join(c.dir, file)),
  };
}

/** Runs one case folder with the weights in `format` and compares every expected tensor. */
export function runGoldenCase(c: GoldenCase, format: GoldenFormat, options: RunGoldenOptions = {}): Promise<GoldenResult> {
  return runGoldenSpec(c.spec, folderFiles(c), format, options);
}
