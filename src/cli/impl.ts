/**
 * `conformance --impl 'CMD'`: an external program as an `Implementation`. For each case it is run
 * with exactly `rnnport run`'s arguments (docs/case-format.md, "the run contract"):
 *   sh -c 'CMD "$@"' sh WEIGHTS --input X.npy [--h0 F] [--c0 F] [--lengths L.npy] [--batch-first]
 *     [--nonlinearity relu] [--dtype float64] [--prefix P] --out DIR
 * with the weights written as safetensors and the inputs as .npy in a fresh folder, and its
 * DIR/output.npy, h_n.npy, c_n.npy read back. Exit 3: unsupported, its last stderr line the
 * reason; any other failure, or a missing file: the case fails with that line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImplementationFailure, unsupported, type Implementation } from '../conformance/implementation.js';
import { escapeControl } from '../errors.js';
import { saveSafetensors } from '../io/safetensors.js';
import { readNpyFile, writeNpyFile } from '../node.js';

/** Seconds one run of the program may take before it counts as failed. */
const TIMEOUT_S = 300;

const lastLine = (text: string): string => escapeControl(text.trim().split('\n').pop() ?? '').slice(0, 500);

/** `cmd` as an implementation; each call works in its own folder under `workDir`. */
export function commandImplementation(cmd: string, workDir: string): Implementation {
  let n = 0;
  return (r) => {
    const dir = join(workDir, `run-${String(++n).padStart(4, '0')}`);
    const out = join(dir, 'out');
    mkdirSync(out, { recursive: true });
    const file = (name: string): string => join(dir, name);
    writeFileSync(file('weights.safetensors'), saveSafetensors(r.weights));
    writeNpyFile(file('input.npy'), r.input);
    const args = [file('weights.safetensors'), '--input', file('input.npy')];
    for (const [flag, t, name] of [['--h0', r.h0, 'h_0.npy'], ['--c0', r.c0, 'c_0.npy'], ['--lengths', r.lengths, 'lengths.npy']] as const) {
      if (t === undefined) continue;
      writeNpyFile(file(name), t);
      args.push(flag, file(name));
    }
    if (r.batchFirst) args.push('--batch-first');
    if (r.nonlinearity === 'relu') args.push('--nonlinearity', 'relu');
    if (r.dtype === 'float64') args.push('--dtype', 'float64');
    // always: '' selects the module at the root of a file that holds several
    args.push('--prefix', r.prefix);
    args.push('--out', out);
    const run = spawnSync('sh', ['-c', `${cmd} "$@"`, 'sh', ...args], { encoding: 'utf8', timeout: TIMEOUT_S * 1000, maxBuffer: 16 * 1024 * 1024 });
    if (run.error !== undefined) throw new ImplementationFailure(`could not run ${JSON.stringify(cmd)}: ${run.error.message}`);
    if (run.status === 3) throw unsupported(lastLine(run.stderr) || 'exit status 3, no reason given');
    if (run.status !== 0) throw new ImplementationFailure(`exit status ${run.status ?? `signal ${run.signal}`}: ${lastLine(run.stderr) || '(no stderr)'}`);
    const read = (name: string): ReturnType<typeof readNpyFile> | undefined => (existsSync(join(out, name)) ? readNpyFile(join(out, name)) : undefined);
    const output = read('output.npy');
    const hN = read('h_n.npy');
    if (output === undefined || hN === undefined) throw new ImplementationFailure(`exit status 0 but no ${output === undefined ? 'output.npy' : 'h_n.npy'} in --out`);
    const cN = read('c_n.npy');
    return cN === undefined ? { output, hN } : { output, hN, cN };
  };
}
