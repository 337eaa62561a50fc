/**
 * Where `rnnport conformance` finds golden cases, and how it reads their files:
 *   - a folder of case folders (this repository's golden/, written by scripts/gen_golden.py, whose
 *     docstring documents case.json);
 *   - the archive the npm package ships instead (dist/golden/golden.zip, made by
 *     scripts/pack_golden.mjs): one deflated member per case, `<case>.zip`, a stored zip of the case
 *     folder. A case is inflated only when it runs.
 * Both hand the browser-safe runner (src/conformance/golden.ts) the same files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
import { loadCase, type Case } from '../conformance/case.js';
import { fail } from '../errors.js';
import { resolveLimits } from '../io/limits.js';
import { loadStateDictSync } from '../io/load.js';
import { makeIndex } from '../io/weights-index.js';
import { parseNpy } from '../io/npy.js';
import { openNpyDir } from '../io/npy-dir.js';
import { bytesSource } from '../io/source.js';
import { openZip, type ZipArchive } from '../io/zip.js';
import { ioError } from '../node-files.js';
import { fileSource, openStateDict, readNpyFile } from '../node.js';

export { GOLDEN_FORMATS, type AnyGoldenSpec, type GoldenFormat, type GoldenResult, type GoldenSpec, type RunGoldenOptions } from '../conformance/golden.js';

/** The archive's file name inside a packaged golden directory. */
export const GOLDEN_ARCHIVE = 'golden.zip';

/** One case, wherever it is stored. */
export interface GoldenCase {
  readonly name: string;
  /** Where its files are, for messages: a folder, or `archive.zip:case`. */
  readonly where: string;
  readonly spec: AnyGoldenSpec;
  /** The weights formats this case ships, in GOLDEN_FORMATS order. */
  readonly formats: readonly GoldenFormat[];
  readonly files: GoldenFiles;
}

/**
 * This package's golden cases: the repository's golden/ tree when it is there (a clone), else the
 * archive the npm package ships (dist/golden/). Found from this file's URL.
 */
export function defaultGoldenDir(): string {
  const tree = fileURLToPath(new URL('../../golden/', import.meta.url));
  return existsSync(join(tree, 'MANIFEST.json')) ? tree : fileURLToPath(new URL('../golden/', import.meta.url));
}

/**
 * The cases at `path` whose name contains `filter`, sorted by name: `path` is a folder of case
 * folders, a folder holding golden.zip, or such an archive. Unreadable files are E_IO.
 */
export function listGoldenCases(path: string, filter?: string): GoldenCase[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (e) {
    throw ioError('golden cases', 'a folder of golden cases or a golden archive', path, e);
  }
  if (!isDirectory) return archiveCases(path, filter);
  return existsSync(join(path, GOLDEN_ARCHIVE)) ? archiveCases(join(path, GOLDEN_ARCHIVE), filter) : folderCases(path, filter);
}

/** A case file found in a folder (docs/case-format.md), read when it runs. */
export interface CaseFile {
  readonly name: string;
  readonly path: string;
  load(): Case;
}

/**
 * The case files (`*.safetensors` holding a case description) directly in `dir` whose name
 * contains `filter`, sorted; empty when `dir` holds golden case folders or an archive instead.
 */
export function listCaseFiles(dir: string, filter?: string): CaseFile[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory() || existsSync(join(dir, GOLDEN_ARCHIVE))) return [];
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.safetensors') && wanted(e.name.slice(0, -12), filter))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw ioError('case folder', 'a readable folder of case files', dir, e);
  }
  return names.map((file) => {
    const path = join(dir, file);
    return { name: file.slice(0, -12), path, load: () => loadCase(openStateDict(path)) };
  });
}

/** Runs one case with the weights in `format` and compares every expected tensor. */
export function runGoldenCase(c: GoldenCase, format: GoldenFormat, options: RunGoldenOptions = {}): Promise<GoldenResult> {
  return runGoldenSpec(c.spec, c.files, format, options);
}

const wanted = (name: string, filter: string | undefined): boolean => filter === undefined || name.includes(filter);

function parseSpec(text: string, name: string, where: string): AnyGoldenSpec {
  let spec: AnyGoldenSpec;
  try {
    spec = JSON.parse(text) as AnyGoldenSpec;
  } catch (e) {
    throw ioError('golden case.json', 'a golden case.json', where, e);
  }
  if (spec.schema !== 1 || spec.name !== name) {
    throw fail('E_BAD_OPTION', { what: 'golden case.json', expected: `schema 1, name "${name}"`, got: `schema ${String(spec.schema)}, name "${String(spec.name)}"`, at: where });
  }
  return spec;
}

const formatsOf = (spec: AnyGoldenSpec): GoldenFormat[] => GOLDEN_FORMATS.filter((f) => spec.weights[f] !== undefined);
const keyOption = (spec: AnyGoldenSpec, format: GoldenFormat): { key?: string } => (format === 'pt' && spec.pt_key !== null ? { key: spec.pt_key } : {});

/** Case folders under `dir`: weights opened by path (`openStateDict`), .npy files read from disk. */
function folderCases(dir: string, filter: string | undefined): GoldenCase[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && wanted(e.name, filter))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw ioError('golden directory', 'a readable golden case folder', dir, e);
  }
  return names.map((name) => {
    const caseDir = join(dir, name);
    const path = join(caseDir, 'case.json');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw ioError('golden case.json', 'a readable golden case folder', path, e);
    }
    const spec = parseSpec(text, name, path);
    const files: GoldenFiles = {
      stateDict: (format) => openStateDict(join(caseDir, spec.weights[format] as string), keyOption(spec, format)).load(),
      tensor: (file) => readNpyFile(join(caseDir, file)),
    };
    return { name, where: caseDir, spec, formats: formatsOf(spec), files };
  });
}

/** Cases in a golden archive; each case's own zip is inflated on first use and kept while its runs go on. */
function archiveCases(path: string, filter: string | undefined): GoldenCase[] {
  const limits = resolveLimits();
  const outer = openZip(fileSource(path), limits);
  const cases: GoldenCase[] = [];
  for (const entry of outer.entries) {
    const name = entry.name.endsWith('.zip') ? entry.name.slice(0, -4) : '';
    if (name === '' || name.includes('/') || !wanted(name, filter)) continue;
    const where = `${path}:${name}`;
    let inner: ZipArchive | null = null;
    const open = (): ZipArchive => (inner ??= openZip(bytesSource(outer.read(entry), where), limits));
    const member = (file: string): Uint8Array => {
      const found = open().get(file);
      if (found === undefined) throw fail('E_KEY_NOT_FOUND', { what: 'golden case file', expected: `a member ${JSON.stringify(file)}`, got: 'none', at: where });
      return open().read(found);
    };
    const spec = parseSpec(new TextDecoder().decode(member('case.json')), name, where);
    inner = null; // inflate the case again only when it runs
    const files: GoldenFiles = {
      stateDict: (format) => {
        const file = spec.weights[format] as string;
        if (format !== 'npy') return loadStateDictSync(member(file), keyOption(spec, format));
        const prefix = `${file}/`;
        const npy = open()
          .entries.filter((e) => e.name.startsWith(prefix) && e.name.endsWith('.npy'))
          .map((e) => ({ fileName: e.name.slice(prefix.length), source: bytesSource(open().read(e), `${where}/${e.name}`) }))
          .sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
        return makeIndex('npy-dir', `${where}/${file}`, openNpyDir(`${where}/${file}`, npy, limits), limits).load();
      },
      tensor: (file) => parseNpy(member(file), `${where}/${file}`),
    };
    cases.push({ name, where, spec, formats: formatsOf(spec), files });
  }
  return cases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
