/**
 * Spawning the BUILT CLI (`node dist/cli/bin.js`), as a user's shell would. `npm test` builds
 * first; run alone, the first test file builds dist/ if it is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveNpy } from '../../src/io/npy.js';
import { tensor, type Tensor } from '../../src/tensor.js';
import type { DType } from '../../src/dtype.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'dist/cli/bin.js');
export const GOLDEN = join(ROOT, 'golden');

/** Builds dist/ once if it is not there (npm test has built it already). */
export function ensureBuilt(): void {
  if (!existsSync(BIN)) execFileSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'inherit' });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The error code of the `rnnport: E_CODE: message` line, if there is one. */
  readonly errorCode: string | undefined;
}

/** Runs `rnnport ...args` in `cwd` (default: the repository root). */
export function cli(args: readonly string[], cwd: string = ROOT): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  const errorCode = /^rnnport: (E_[A-Z0-9_]+): /m.exec(r.stderr)?.[1];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errorCode };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rnnport-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a .npy file of the given values and shape. */
export function writeNpy(path: string, values: readonly number[], shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const t = tensor(values, shape, dtype);
  writeFileSync(path, saveNpy(t));
  return t;
}

/** A golden case's file. */
export function golden(caseName: string, file: string): string {
  return join(GOLDEN, caseName, file);
}
