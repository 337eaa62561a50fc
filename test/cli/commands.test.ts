/**
 * Every command on good input, through the built CLI, against PyTorch's own results (golden/).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTensors, defaultTolerance } from '../../src/compare.js';
import { readNpyFile } from '../../src/node.js';
import { saveNpy } from '../../src/io/npy.js';
import { tensor } from '../../src/tensor.js';
import { cli, ensureBuilt, golden, ROOT, tempDir } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  ensureBuilt();
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

const LSTM = 'lstm_l2_bidir'; // nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)

function expectClose(gotPath: string, expectedPath: string): void {
  const got = readNpyFile(gotPath);
  const expected = readNpyFile(expectedPath);
  expect(got.dtype).toBe(expected.dtype);
  expect(compareTensors(got, expected, defaultTolerance(expected.dtype)).ok).toBe(true);
}

describe('rnnport --version / --help', () => {
  it('prints the package version', () => {
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`rnnport ${(JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version}`);
  });

  it('every command has --help with an example', () => {
    for (const name of ['conformance', 'inspect', 'run', 'verify', 'explain', 'bench']) {
      const r = cli([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: rnnport ${name}`);
      expect(r.stdout).toContain('Example:');
    }
  });
});

describe('rnnport inspect', () => {
  it('lists the Embedding, Linear and LayerNorm beside the recurrent module, in text and JSON', () => {
    const file = join(ROOT, 'examples', 'node', 'classifier.safetensors');
    const r = cli(['inspect', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^  rnn\.\s+nn\.LSTM\(8, 12, num_layers=2, bidirectional=True\)$/m);
    expect(r.stdout).toMatch(/^  embedding\.\s+nn\.Embedding\(40, 8\) \| nn\.Linear\(8, 40, bias=False\)$/m);
    expect(r.stdout).toMatch(/^  head\.\s+nn\.Linear\(24, 5\)$/m);
    expect(r.stdout).toMatch(/^  norm\.\s+nn\.LayerNorm\(24\)$/m);
    const doc = JSON.parse(cli(['inspect', file, '--json']).stdout) as { layers: { kind: string; prefix: string }[] };
    expect(doc.layers.map((l) => [l.prefix, l.kind])).toEqual([['embedding.', 'Embedding | Linear'], ['head.', 'Linear'], ['norm.', 'LayerNorm']]);
  });

  it.each(['weights.safetensors', 'weights.npz', 'weights.pt', 'weights_npy'])('finds the module in %s', (file) => {
    const r = cli(['inspect', golden(LSTM, file)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(root\)\s+nn\.LSTM\(3, 4, num_layers=2, bidirectional=True\)/);
    expect(r.stdout).toContain('weight_hh_l1_reverse');
  });

  it('lists nested modules by prefix and names the .pt key it used', () => {
    const r = cli(['inspect', golden('multi_nested', 'weights.pt')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/encoder\.rnn\.\s+nn\.GRU\(3, 4, bidirectional=True\)/);
    expect(r.stdout).toMatch(/decoder\.rnn\.\s+nn\.LSTM\(8, 5, num_layers=2\)/);
    expect(r.stderr).toContain('"model"');
  });

  it('--json: schema 1, tensors and modules', () => {
    const r = cli(['inspect', golden(LSTM, 'weights.safetensors'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { schema: number; format: string; tensors: unknown[]; modules: { prefix: string; kind: string; pytorch: string }[] };
    expect(doc.schema).toBe(1);
    expect(doc.format).toBe('safetensors');
    expect(doc.tensors).toHaveLength(16);
    expect(doc.modules).toEqual([expect.objectContaining({ prefix: '', kind: 'LSTM', pytorch: 'nn.LSTM(3, 4, num_layers=2, bidirectional=True)' })]);
  });
});

describe('rnnport run', () => {
  it('writes output, h_n and c_n as PyTorch computed them (batch_first, bidirectional, 2 layers)', () => {
    const out = join(tmp.dir, 'run-lstm');
    const r = cli(['run', golden(LSTM, 'weights.npz'), '--input', golden(LSTM, 'input.npy'), '--batch-first', '--out', out]);
    expect(r.code).toBe(0);
    for (const name of ['output', 'h_n', 'c_n']) expectClose(join(out, `${name}.npy`), golden(LSTM, `${name}.npy`));
  });

  it('a GRU writes no c_n; --h0 is used', () => {
    const out = join(tmp.dir, 'run-gru');
    const r = cli(['run', golden('gru_l1', 'weights.safetensors'), '--input', golden('gru_l1', 'input.npy'), '--h0', golden('gru_l1', 'h_0.npy'), '--out', out]);
    expect(r.code).toBe(0);
    expectClose(join(out, 'output.npy'), golden('gru_l1', 'output.npy'));
    expectClose(join(out, 'h_n.npy'), golden('gru_l1', 'h_n.npy'));
    expect(existsSync(join(out, 'c_n.npy'))).toBe(false);
  });

  it('--lengths: pack_padded_sequence(enforce_sorted=False) → module → pad_packed_sequence, float64', () => {
    const g = 'lstm_f64_packed';
    const out = join(tmp.dir, 'run-packed');
    const r = cli(['run', golden(g, 'weights.safetensors'), '--input', golden(g, 'input.npy'), '--lengths', golden(g, 'lengths.npy'), '--out', out]);
    expect(r.code).toBe(0);
    for (const name of ['output', 'h_n', 'c_n']) expectClose(join(out, `${name}.npy`), golden(g, `${name}.npy`));
  });

  it('a cell computes one step: output.npy == h_n.npy == h′', () => {
    const g = 'lstmcell';
    const out = join(tmp.dir, 'run-cell');
    const r = cli(['run', golden(g, 'weights.pt'), '--input', golden(g, 'input.npy'), '--h0', golden(g, 'h_0.npy'), '--c0', golden(g, 'c_0.npy'), '--out', out]);
    expect(r.code).toBe(0);
    expectClose(join(out, 'output.npy'), golden(g, 'h_n.npy'));
    expectClose(join(out, 'h_n.npy'), golden(g, 'h_n.npy'));
    expectClose(join(out, 'c_n.npy'), golden(g, 'c_n.npy'));
  });

  it('--key picks the nested state_dict of a .pt checkpoint; no note on stderr then', () => {
    const out = join(tmp.dir, 'run-key');
    const r = cli(['run', golden('multi_nested', 'weights.pt'), '--key', 'model', '--prefix', 'encoder.rnn.', '--input', golden('multi_encoder', 'input.npy'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('using the state_dict');
    expect(readNpyFile(join(out, 'h_n.npy')).shape).toEqual([2, 2, 4]);
  });

  it('--prefix picks one module of several; --dtype float64 writes float64', () => {
    const g = 'multi_encoder';
    const out = join(tmp.dir, 'run-prefix');
    const r = cli(['run', golden(g, 'weights.safetensors'), '--prefix', 'encoder.rnn', '--input', golden(g, 'input.npy'), '--dtype', 'float64', '--out', out]);
    expect(r.code).toBe(0);
    expect(readNpyFile(join(out, 'output.npy')).dtype).toBe('float64');
    const tol = { atol: 1e-5, rtol: 1e-4 };
    expect(compareTensors(readNpyFile(join(out, 'h_n.npy')), readNpyFile(golden(g, 'h_n.npy')), tol).ok).toBe(true);
  });
});

describe('rnnport verify', () => {
  const args = (expectedOutput: string): string[] => [
    'verify', golden(LSTM, 'weights.pt'), '--input', golden(LSTM, 'input.npy'), '--batch-first',
    '--expected-output', expectedOutput, '--expected-h-n', golden(LSTM, 'h_n.npy'), '--expected-c-n', golden(LSTM, 'c_n.npy'),
  ];

  it('passes against PyTorch and prints the error per tensor', () => {
    const r = cli(args(golden(LSTM, 'output.npy')));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^output\s+\(3, 5, 8\)\s+\S+\s+\S+\s+[\d.e+-]+\s+ok$/m);
    expect(r.stdout).toMatch(/^c_n\s+\(4, 3, 4\)/m);
  });

  it('fails (exit 1) on a mismatch and prints the worst index with both values', () => {
    const expected = readNpyFile(golden(LSTM, 'output.npy'));
    const data = Float32Array.from(expected.toFloat32());
    data[7] = (data[7] as number) + 0.5;
    const path = join(tmp.dir, 'bad-output.npy');
    writeFileSync(path, saveNpy(tensor(data, expected.shape)));
    const r = cli(args(path));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^output\s.*FAIL \(1 of 120 elements\)/m);
    expect(r.stdout).toMatch(/^output\[0, 0, 7\]: got \S+, expected \S+/m);
    expect(r.stderr).toMatch(/^rnnport: E_MISMATCH: output: expected every element within atol 0\.00001 \+ rtol 0\.0001·\|expected\| of PyTorch's values, got 1 of 120 elements of output outside, the worst [\d.e+]+ of its tolerance\n$/);
  });

  it('shows as worst the element furthest over the tolerance, also with --atol 0 --rtol 0', () => {
    const expected = readNpyFile(golden(LSTM, 'output.npy'));
    const data = Float32Array.from(expected.toFloat32());
    data[3] = (data[3] as number) + 1e-3;
    data[9] = (data[9] as number) + 0.25;
    const path = join(tmp.dir, 'two-off.npy');
    writeFileSync(path, saveNpy(tensor(data, expected.shape)));
    const r = cli([...args(path), '--atol', '0', '--rtol', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^output\[0, 1, 1\]: got \S+, expected \S+/m);
  });

  it('an expected array of another shape is E_EXPECTED_SHAPE naming both shapes', () => {
    const path = join(tmp.dir, 'wrong-shape.npy');
    writeFileSync(path, saveNpy(tensor(new Float32Array(6), [2, 3])));
    const r = cli(args(path));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rnnport: E_EXPECTED_SHAPE: output expected in .*: expected shape \(3, 5, 8\) \(the output rnnport computed\), got shape \(2, 3\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});

describe('rnnport explain', () => {
  it('from flags: shapes and checked equalities, bidirectional forward row is h_n[-2]', () => {
    const r = cli(['explain', '--mode', 'lstm', '--hidden-size', '4', '--num-layers', '2', '--bidirectional', '--proj-size', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nn.LSTM(4, 4, num_layers=2, bidirectional=True, proj_size=2)');
    expect(r.stdout).toMatch(/✓\s+output\[-1, :, :2\] == h_n\[-2\]/);
    expect(r.stdout).toMatch(/✓\s+output\[0, :, 2:\] == h_n\[-1\]/);
    expect(r.stdout).not.toContain('✗');
  });

  it('from weights, with packed lengths and an SVG', () => {
    const svg = join(tmp.dir, 'explain', 'gru.svg');
    const r = cli(['explain', golden('multi_nested', 'weights.pt'), '--prefix', 'encoder.rnn', '--lengths', '5,3,2', '--svg', svg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nn.GRU(3, 4, bidirectional=True)');
    expect(r.stdout).toMatch(/✓\s+output\[2, 1, :4\] == h_n\[-2, 1\]/);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(text).toContain('h_n[1, 2]');
  });

  it('--json: schema 1 and every fact holds', () => {
    const r = cli(['explain', '--mode', 'gru', '--hidden-size', '3', '--batch-first', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { schema: number; equalities: { text: string; holds: boolean }[] };
    expect(doc.schema).toBe(1);
    expect(doc.equalities.map((e) => [e.text, e.holds])).toEqual([['output[:, -1] == h_n[-1]', true]]);
  });
});

describe('rnnport bench', () => {
  it('--json prints one line with the contract fields', () => {
    const r = cli(['bench', golden('gru_l1', 'weights.safetensors'), '--input', golden('gru_l1', 'input.npy'), '--engine', 'reference', '--warmup', '1', '--repeat', '3', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['schema', 'median_ms', 'min_ms', 'max_ms', 'repeat', 'engine', 'simd', 'v8_flags']);
    expect(doc).toMatchObject({ schema: 1, repeat: 3, engine: 'reference', simd: 'none' });
    expect(doc['min_ms'] as number).toBeLessThanOrEqual(doc['median_ms'] as number);
  });

  it('--stream feeds one step at a time, from --h0 / --c0', () => {
    const g = 'lstm_h0';
    const r = cli(['bench', golden(g, 'weights.safetensors'), '--input', golden(g, 'input.npy'), '--h0', golden(g, 'h_0.npy'), '--c0', golden(g, 'c_0.npy'), '--stream', '--repeat', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 1, repeat: 2 });
  });

  it('reports the engine that ran: float64 runs the fast engine\'s WASM kernels too', () => {
    const r = cli(['bench', golden('gru_l1', 'weights.safetensors'), '--input', golden('gru_l1', 'input.npy'), '--dtype', 'float64', '--repeat', '1', '--simd', 'plain', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: 'fast', simd: 'plain' });
  });

  it('turns on relaxed SIMD for its own process where Node hides it behind a flag, and says so', () => {
    const r = cli(['bench', golden('gru_l1', 'weights.safetensors'), '--input', golden('gru_l1', 'input.npy'), '--repeat', '1', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { simd: string; v8_flags: string[] };
    expect(doc.simd).toBe('relaxed');
    // Node 20 validates relaxed SIMD only behind the flag; newer Node has it on
    expect(doc.v8_flags).toEqual(process.versions.node.startsWith('20.') ? ['--experimental-wasm-relaxed-simd'] : []);
  });
});

describe('rnnport conformance', () => {
  it('runs golden cases through every format and writes a JSON report', () => {
    const report = join(tmp.dir, 'report.json');
    const r = cli(['conformance', '--filter', 'gru_l2_bidir', '--json', report]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GRU\s+safetensors\s+2\s+2\s+0\s/m);
    expect(r.stderr).toMatch(/^\[\s*1\/8\] pass {2}gru_l2_bidir safetensors/m);
    const doc = JSON.parse(readFileSync(report, 'utf8')) as { schema: number; failed: number; passed: number; node: string };
    expect(doc).toMatchObject({ schema: 1, failed: 0, passed: 8, node: process.version });
  });

  it('exits 1 when a case differs from PyTorch', () => {
    const dir = join(tmp.dir, 'golden-bad');
    cpSync(golden('gru_l1', ''), join(dir, 'gru_l1'), { recursive: true });
    cpSync(golden('lstm_l2_bidir', 'c_n.npy'), join(dir, 'gru_l1', 'h_n.npy'));
    const r = cli(['conformance', '--golden', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^GRU\s+safetensors\s+1\s+0\s+1\s/m);
    expect(r.stdout).toContain('FAILED');
  });

  it('names the difference when the inferred module differs from case.json', () => {
    const dir = join(tmp.dir, 'golden-config');
    cpSync(golden('lstm_l2', ''), join(dir, 'lstm_l2'), { recursive: true });
    const specPath = join(dir, 'lstm_l2', 'case.json');
    const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { options: Record<string, unknown> };
    spec.options['num_layers'] = 3;
    writeFileSync(specPath, JSON.stringify(spec));
    const r = cli(['conformance', '--golden', dir, '--engine', 'reference']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('module config differs from case.json: num_layers: got 2, expected 3');
  });
});
