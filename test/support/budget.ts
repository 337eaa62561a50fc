/**
 * Running the built CLI (or a Node snippet against dist/) in a child process and measuring what
 * it cost: wall time and peak resident memory, read from the child's own
 * `process.resourceUsage().maxRSS` (test/support/peak-rss.mjs, preloaded). Time is a generous
 * ceiling, never a benchmark; memory is the budget the README states.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/cli/bin.js');
const PRELOAD = pathToFileURL(join(ROOT, 'test/support/peak-rss.mjs')).href;

/** A child's outcome and cost. */
export interface Measured {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The E_CODE of the `rnnport: E_CODE: message` line, if any. */
  readonly errorCode: string | undefined;
  readonly ms: number;
  /** Peak resident set size of the child, in bytes (NaN if it died before reporting). */
  readonly peakRss: number;
}

/** The ceiling no reproducer may reach: a hang or a blow-up, not a slow machine. */
export const TIME_CEILING_MS = 20_000;

async function measure(nodeArgs: readonly string[], cwd: string): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'rnnport-rss-'));
  const rssFile = join(dir, 'rss');
  try {
    const start = performance.now();
    const child = spawn(process.execPath, ['--import', PRELOAD, ...nodeArgs], { cwd, env: { ...process.env, RNNPORT_PEAK_RSS_FILE: rssFile } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 2 * TIME_CEILING_MS);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    const ms = performance.now() - start;
    let peakRss = NaN;
    try {
      peakRss = Number(readFileSync(rssFile, 'utf8'));
    } catch {
      // killed or aborted before its exit handler ran
    }
    const stdout = Buffer.concat(out).toString('utf8');
    const stderr = Buffer.concat(err).toString('utf8');
    const errorCode = /^rnnport: (E_[A-Z0-9_]+): /m.exec(stderr)?.[1];
    return { code, signal, stdout, stderr, errorCode, ms, peakRss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `rnnport ...args` in a child process, measured. */
export function measuredCli(args: readonly string[], cwd: string = ROOT): Promise<Measured> {
  return measure([BIN, ...args], cwd);
}

/**
 * A module script run in a child process against the built package (`rnnport` is dist/index.js,
 * `rnnport/node` dist/node.js), measured. It prints the error code it caught, or `ok`.
 */
export function measuredScript(body: string): Promise<Measured> {
  const script = `
    const rnnport = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/index.js')).href)});
    const node = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/node.js')).href)});
    try { ${body}; console.log('ok'); } catch (e) { console.log(rnnport.isRnnportError(e) ? e.code : 'not an RnnportError: ' + e); }`;
  return measure(['--input-type=module', '-e', script], ROOT);
}

const MiB = 2 ** 20;

/** What the README allows per tensor a file declares (its entry, shape and name, as inspect lists it). */
export const BYTES_PER_TENSOR = 2048;

/**
 * The memory budget of the README, above a baseline (the same CLI on a tiny valid file): an
 * input of n bytes declaring t tensors costs at most about n (read) + n (decoded header text)
 * + 2 KiB × t + 64 MiB.
 */
export function rssBudget(baseline: number, fileBytes: number, tensors = 0): number {
  return baseline + 64 * MiB + 2 * fileBytes + BYTES_PER_TENSOR * tensors;
}
