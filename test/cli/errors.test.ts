/**
 * Every command on bad input, through the built CLI: the exit code and the error code of the one
 * stderr line (docs/cli.md, "Exit status"): rejected input exits 1 with
 * `rnnport: E_CODE: message`; a usage error exits 2 with the usage line first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, golden, tempDir, writeNpy } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
const path = (name: string): string => join(tmp.dir, name);

beforeAll(() => {
  ensureBuilt();
  tmp = tempDir();
  writeFileSync(path('notes.txt'), 'these are not weights\n');
  const st = readFileSync(golden('gru_l1', 'weights.safetensors'));
  writeFileSync(path('truncated.safetensors'), st.subarray(0, st.length - 10));
  // gru_l1: nn.GRU(3, 4), input (T=5, B=3, 3)
  writeNpy(path('x_i5.npy'), new Array(5 * 3 * 5).fill(0.1), [5, 3, 5]);
  writeNpy(path('x_int.npy'), new Array(5 * 3 * 3).fill(1), [5, 3, 3], 'int32');
  writeNpy(path('x_unbatched.npy'), new Array(5 * 3).fill(0.1), [5, 3]);
  writeNpy(path('h0_bad.npy'), new Array(2 * 3 * 4).fill(0), [2, 3, 4]);
  writeNpy(path('lengths.npy'), [5, 3, 2], [3], 'int64');
  writeNpy(path('lengths_f.npy'), [5, 3, 2], [3]);
});
afterAll(() => tmp.cleanup());

const GRU = golden('gru_l1', 'weights.safetensors');
const X = golden('gru_l1', 'input.npy');
const run = (...extra: string[]): string[] => ['run', GRU, '--input', X, '--out', path('out'), ...extra];

function expectRejected(args: readonly string[], code: string): void {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(1);
  expect(r.errorCode, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('rnnport: using the state_dict'));
  expect(lines, 'exactly one stderr line').toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack without --debug
}

describe('rejected input: exit 1, one line `rnnport: E_CODE: message`', () => {
  it.each<[string, () => string[], string]>([
    ['missing weights file', () => ['run', path('nope.safetensors'), '--input', X, '--out', path('out')], 'E_IO'],
    ['missing input file', () => ['run', GRU, '--input', path('nope.npy'), '--out', path('out')], 'E_IO'],
    ['wrong format', () => ['inspect', path('notes.txt')], 'E_BAD_MAGIC'],
    ['malformed (truncated) safetensors', () => ['inspect', path('truncated.safetensors')], 'E_TRUNCATED'],
    ['wrong input size', () => ['run', GRU, '--input', path('x_i5.npy'), '--out', path('out')], 'E_INPUT_SIZE'],
    ['integer input', () => ['run', GRU, '--input', path('x_int.npy'), '--out', path('out')], 'E_INPUT_DTYPE'],
    ['integer input with --dtype', () => ['run', GRU, '--input', path('x_int.npy'), '--dtype', 'float32', '--out', path('out')], 'E_INPUT_DTYPE'],
    ['wrong h0 shape', () => run('--h0', path('h0_bad.npy')), 'E_HIDDEN_SHAPE'],
    ['prefix needed', () => ['run', golden('multi_encoder', 'weights.safetensors'), '--input', X, '--out', path('out')], 'E_AMBIGUOUS_MODULE'],
    ['--key that is not in the checkpoint', () => ['inspect', golden('multi_nested', 'weights.pt'), '--key', 'nope'], 'E_KEY_NOT_FOUND'],
    ['prefix that matches nothing', () => run('--prefix', 'decoder'), 'E_NO_MODULE'],
    ['float lengths', () => run('--lengths', path('lengths_f.npy')), 'E_LENGTHS'],
    ['verify with a missing expected file', () => ['verify', GRU, '--input', X, '--expected-output', path('nope.npy')], 'E_IO'],
    ['explain of a cell', () => ['explain', golden('lstmcell', 'weights.safetensors')], 'E_BAD_OPTION'],
    ['explain with lengths longer than T', () => ['explain', '--mode', 'gru', '--hidden-size', '2', '--seq-len', '3', '--lengths', '4,2'], 'E_LENGTHS'],
    ['explain --svg into a file, not a directory', () => ['explain', '--mode', 'gru', '--hidden-size', '2', '--svg', path('notes.txt/x.svg')], 'E_IO'],
    ['run --out below a file', () => run('--out', path('notes.txt/out')), 'E_IO'],
    ['conformance on a missing directory', () => ['conformance', '--golden', path('nowhere')], 'E_IO'],
    ['conformance filter that matches nothing', () => ['conformance', '--filter', 'no-such-case'], 'E_BAD_OPTION'],
  ])('%s → %s', (_name, args, code) => {
    expectRejected(args(), code);
  });
});

describe('options that do not apply: E_BAD_OPTION, exit 1', () => {
  it.each<[string, () => string[]]>([
    ['--c0 for a GRU', () => run('--c0', path('h0_bad.npy'))],
    ['--nonlinearity for a GRU', () => run('--nonlinearity', 'relu')],
    ['--lengths with a cell', () => ['run', golden('grucell', 'weights.safetensors'), '--input', golden('grucell', 'input.npy'), '--lengths', path('lengths.npy'), '--out', path('out')]],
    ['--batch-first with a cell', () => ['run', golden('grucell', 'weights.safetensors'), '--input', golden('grucell', 'input.npy'), '--batch-first', '--out', path('out')]],
    ['--lengths with unbatched input', () => ['run', GRU, '--input', path('x_unbatched.npy'), '--lengths', path('lengths.npy'), '--out', path('out')]],
    ['--key on a safetensors file', () => run('--key', 'model')],
    ['bench --stream of a bidirectional module', () => ['bench', golden('lstm_l2_bidir', 'weights.safetensors'), '--input', golden('lstm_l2_bidir', 'input.npy'), '--batch-first', '--stream']],
    ['bench --stream of a cell', () => ['bench', golden('grucell', 'weights.safetensors'), '--input', golden('grucell', 'input.npy'), '--stream']],
    ['bench --stream with --lengths', () => ['bench', GRU, '--input', X, '--lengths', path('lengths.npy'), '--stream']],
    ['--simd with the reference engine', () => run('--engine', 'reference', '--simd', 'plain')],
    ['--expected-c-n for a GRU', () => ['verify', GRU, '--input', X, '--expected-output', golden('gru_l1', 'output.npy'), '--expected-c-n', golden('gru_l1', 'h_n.npy')]],
    ['only --h0 for an LSTM', () => ['run', golden('lstm_l2_bidir', 'weights.safetensors'), '--input', golden('lstm_l2_bidir', 'input.npy'), '--h0', path('h0_bad.npy'), '--out', path('out')]],
  ])('%s', (_name, args) => {
    expectRejected(args(), 'E_BAD_OPTION');
  });
});

describe('usage errors: exit 2, the usage line, then `rnnport: E_USAGE: …`', () => {
  it.each([
    [['run', GRU, '--input', X, '--out', 'o', '--bogus']],
    [['run', GRU, '--out', 'o']],
    [['bench', GRU, '--input', X, '--repeat', 'many']],
    [['inspect']],
    [['transmogrify']],
  ])('%j', (args) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^usage: rnnport /);
    expect(lines[1]).toMatch(/^rnnport: E_USAGE: /);
  });
});

describe('--debug', () => {
  it('adds the stack after the error line', () => {
    const r = cli(['inspect', path('notes.txt'), '--debug']);
    expect(r.code).toBe(1);
    expect(r.errorCode).toBe('E_BAD_MAGIC');
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
