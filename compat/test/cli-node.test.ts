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
import { compareTensors } from '../../dist/index.js';
import { readNpyFile } from '../../dist/node.js';
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
  it('a packed bidirectional GRU: lengths in any order, outputs as pad_packed_sequence gives them', async () => {
    const file = join(out, 'gru.onnx');
    const r = rnnport(['export', golden('gru_packed_unsorted', 'weights.safetensors'), '--packed', '--state', '--onnx', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^rnnport: wrote .*gru\.onnx \(nn\.GRU\(.*\); inputs input, h0, lengths; \d+ bytes\)/);
    const lengths = readNpyFile(golden('gru_packed_unsorted', 'lengths.npy'));
    const got = await runModel(readFileSync(file), { input: readNpyFile(golden('gru_packed_unsorted', 'input.npy')), h0: readNpyFile(golden('gru_packed_unsorted', 'h_0.npy')), lengths: lengths.to('int64') });
    for (const [name, npy] of [['output', 'output.npy'], ['h_n', 'h_n.npy']] as const) {
      const expected = readNpyFile(golden('gru_packed_unsorted', npy));
      const actual = got[name]!;
      // pad_packed_sequence pads to the longest sequence; the graph's output is T long
      const T = expected.shape[0]!;
      const cut = name === 'output' ? actual.to('float32') : actual;
      const sliced = name === 'output' ? new (cut.constructor as typeof actual.constructor)(cut.dtype, [T, ...cut.shape.slice(1)], (cut.data as Float32Array).slice(0, T * cut.shape[1]! * cut.shape[2]!)) : cut;
      expect(compareTensors(sliced, expected, { atol: 1e-5, rtol: 1e-4 }).ok, name).toBe(true);
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
