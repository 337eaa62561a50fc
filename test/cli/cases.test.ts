// Case files (docs/case-format.md) through the CLI: `verify CASE` with no other flag, a perturbed
// expected value naming its element, `conformance --golden DIR` over a folder of cases, and
// `conformance --impl` checking other implementations of `run`'s contract — rnnport's own, and one
// with a planted bug that must fail exactly the cases exercising it.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCase, saveCase } from '../../src/conformance/case.js';
import { Tensor } from '../../src/tensor.js';
import { cli, ensureBuilt, ROOT, tempDir } from './helpers.js';

const CASES = join(ROOT, 'test', 'fixtures', 'cases');
const files = readdirSync(CASES).filter((f) => f.endsWith('.safetensors')).sort();
const tmp = tempDir();
beforeAll(ensureBuilt);
afterAll(() => tmp.cleanup());

describe('rnnport verify CASE.safetensors', () => {
  it.each(files)('%s passes with no other flag', (file) => {
    const r = cli(['verify', join(CASES, file)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^output\s.*\sok$/m);
    expect(r.stdout).toMatch(/^h_n\s.*\sok$/m);
  });

  it('exits 1 naming the element when one expected value is perturbed', () => {
    const c = loadCase(readFileSync(join(CASES, 'gru_bidir_l2.safetensors')));
    const output = c.expected.output;
    const data = (output.data as Float32Array).slice();
    data[7] = (data[7] as number) + 0.01;
    const bad = join(tmp.dir, 'perturbed.safetensors');
    writeFileSync(bad, saveCase({ ...c, expected: { ...c.expected, output: new Tensor(output.dtype, output.shape, data) } }));
    const r = cli(['verify', bad]);
    expect(r.code).toBe(1);
    const index = output.shape.length === 3 ? [Math.floor(7 / (output.shape[1]! * output.shape[2]!)), Math.floor(7 / output.shape[2]!) % output.shape[1]!, 7 % output.shape[2]!] : [];
    expect(r.stdout).toContain(`output[${index.join(', ')}]: got`);
    expect(r.stderr).toMatch(/^rnnport: E_MISMATCH: output: .*1 of \d+ elements of output outside/);
  });

  it('a file without a case description is E_CASE_FORMAT; flags the case carries are E_BAD_OPTION', () => {
    const weights = join(ROOT, 'golden', 'gru_l1', 'weights.safetensors');
    expect(cli(['verify', weights]).stderr).toMatch(/^rnnport: E_CASE_FORMAT: /);
    expect(cli(['verify', join(CASES, files[0] as string), '--lengths', '2,1']).stderr).toMatch(/^rnnport: E_BAD_OPTION: --lengths/);
  });
});

describe('rnnport conformance over case files', () => {
  it('runs a folder of cases, one row per mode and options', () => {
    const r = cli(['conformance', '--golden', CASES]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${files.length} case(s) from ${CASES}`);
    expect(r.stdout).toMatch(/^LSTM\s+bidirectional, batch_first, packed\s+\d+\s+\d+\s+0\s/m);
    expect(r.stdout).toContain(`all ${files.length} runs passed`);
  });

  it("--impl 'node dist/cli/bin.js run' (rnnport's own run) passes every case", () => {
    const r = cli(['conformance', '--golden', CASES, '--impl', `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'dist', 'cli', 'bin.js'))} run`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`all ${files.length} runs passed`);
  });

  it('--impl with a planted bug (bidirectional h_n rows swapped) fails exactly the bidirectional cases', () => {
    const report = join(tmp.dir, 'planted.json');
    const impl = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'test', 'fixtures', 'impl', 'swap-bidir-hn.mjs'))}`;
    const r = cli(['conformance', '--golden', CASES, '--impl', impl, '--json', report]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(readFileSync(report, 'utf8')) as { results: { case: string; status: string; failure: string | null }[] };
    const bidirectional = files.filter((f) => loadCase(readFileSync(join(CASES, f))).description.options['bidirectional'] === true).map((f) => f.replace(/\.safetensors$/, ''));
    expect(bidirectional.length).toBeGreaterThan(2);
    expect(doc.results.filter((x) => x.status === 'failed').map((x) => x.case).sort()).toEqual(bidirectional.sort());
    for (const x of doc.results.filter((y) => y.status === 'failed')) expect(x.failure).toMatch(/^E_MISMATCH: h_n\[/);
  });

  it('--impl: exit 3 is unsupported with its reason, not a failure; golden cases run expressed through run', () => {
    const script = join(tmp.dir, 'refuse-relu.sh');
    writeFileSync(script, `for a in "$@"; do [ "$a" = relu ] && { echo "no relu here" >&2; exit 3; }; done\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'dist', 'cli', 'bin.js'))} run "$@"\n`);
    const dir = join(tmp.dir, 'golden');
    for (const name of ['rnn_relu_f64', 'gru_packed_sorted', 'lstm_pack_sequence']) cpSync(join(ROOT, 'golden', name), join(dir, name), { recursive: true });
    const r = cli(['conformance', '--golden', dir, '--impl', `sh ${JSON.stringify(script)}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/unsupported \(exit 3\)\n\s+rnn_relu_f64\s+no relu here/);
    expect(r.stdout).toMatch(/not expressible through run, skipped: 1 case\(s\)\n\s+lstm_pack_sequence\s+built with pack_sequence/);
    expect(r.stdout).toContain('all 1 runs passed, 1 unsupported');
  });
});
