/**
 * The CLI's ONNX entry points as a user runs them: `rnnport export` writes a model that
 * onnxruntime-node runs to PyTorch's numbers (a packed bidirectional GRU and a projected LSTM with
 * state), and `rnnport bench --engine onnxruntime` finds this project's onnxruntime-node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTensors, loadCase } from '../../dist/index.js';
import { runModel } from '../lib/ort-node.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const COMPAT = join(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'rnnport-export-'));
const rnnport = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: COMPAT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const golden = (name: string, file: string): string => join(ROOT, 'golden', name, file);

describe('rnnport export', () => {
  it.each([
    ['gru_packed_h0', ['--packed', '--state']],
    ['lstm_packed_batch_first', ['--packed', '--batch-first']],
    ['lstm_proj_bidir_l2', ['--state']],
  ])('%s: the exported model runs in onnxruntime-node to the PyTorch values its case file holds', async (name, flags) => {
    const caseFile = join(ROOT, 'test', 'fixtures', 'cases', `${name}.safetensors`);
    const file = join(out, `${name}.onnx`);
    const r = rnnport(['export', caseFile, ...flags, '--onnx', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^rnnport: wrote .*\.onnx \(nn\.\w+\(.*\); inputs input.*; \d+ bytes\)/);
    const c = loadCase(readFileSync(caseFile));
    const feeds = { input: c.input, ...(c.h0 !== undefined && { h0: c.h0 }), ...(c.c0 !== undefined && { c0: c.c0 }), ...(c.lengths !== undefined && { lengths: c.lengths }) };
    const got = await runModel(readFileSync(file), feeds);
    for (const [tensor, expected] of [['output', c.expected.output], ['h_n', c.expected.hN], ['c_n', c.expected.cN]] as const) {
      if (expected === undefined) continue;
      const result = compareTensors(got[tensor]!, expected, c.description.tolerance);
      expect(result.ok, `${name} ${tensor}: ${JSON.stringify(result.worst)}`).toBe(true);
    }
  });

  it('refuses what does not apply: --packed for a cell is E_BAD_OPTION, one line', () => {
    const r = rnnport(['export', golden('grucell', 'weights.safetensors'), '--packed', '--onnx', join(out, 'cell.onnx')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^rnnport: E_BAD_OPTION: /);
  });
});

describe('rnnport bench --engine onnxruntime', () => {
  it("runs through this project's onnxruntime-node and says so", () => {
    const r = rnnport(['bench', golden('lstm_h0', 'weights.safetensors'), '--input', golden('lstm_h0', 'input.npy'), '--h0', golden('lstm_h0', 'h_0.npy'), '--c0', golden('lstm_h0', 'c_0.npy'), '--engine', 'onnxruntime', '--repeat', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 1, repeat: 3, engine: 'onnxruntime', simd: 'none' });
    const s = rnnport(['bench', golden('lstm_h0', 'weights.safetensors'), '--input', golden('lstm_h0', 'input.npy'), '--engine', 'onnxruntime', '--stream', '--repeat', '2', '--json']);
    expect(s.code, s.stderr).toBe(0);
  });

  it('without onnxruntime-node in the project: E_BAD_OPTION saying how to install it', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', golden('gru_l1', 'weights.safetensors'), '--input', golden('gru_l1', 'input.npy'), '--engine', 'onnxruntime'], { cwd: tmpdir(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rnnport: E_BAD_OPTION: --engine onnxruntime: expected onnxruntime-node installed in this project/);
  });
});
