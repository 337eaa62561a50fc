/** The golden harness itself: it must notice a wrong number, a wrong config and a missing format. */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultGoldenDir, listGoldenCases, runGoldenCase } from '../../src/cli/golden.js';
import { isRnnportError } from '../../src/errors.js';
import { readNpyFile, writeNpyFile } from '../../src/node.js';
import { tensor } from '../../src/tensor.js';

const work = mkdtempSync(join(tmpdir(), 'rnnport-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of one golden case that a test may tamper with. */
function copyCase(name: string): string {
  const dir = join(work, name);
  cpSync(join(defaultGoldenDir(), name), dir, { recursive: true });
  return dir;
}

describe('golden harness', () => {
  it('finds the package golden/ from its own file URL', () => {
    expect(existsSync(join(defaultGoldenDir(), 'MANIFEST.json'))).toBe(true);
  });

  it('lists cases by substring, sorted, with the formats each ships', () => {
    const cases = listGoldenCases(defaultGoldenDir(), 'lstm_proj_');
    expect(cases.length).toBeGreaterThan(5);
    expect(cases.every((c) => c.name.includes('lstm_proj_'))).toBe(true);
    expect(cases.map((c) => c.name)).toEqual(cases.map((c) => c.name).sort());
    const bf16 = listGoldenCases(defaultGoldenDir(), 'gru_w_bf16')[0];
    expect(bf16?.formats).toEqual(['safetensors', 'pt']);
  });

  it('reports a tampered expected value with its index, the value and the expected value', async () => {
    copyCase('gru_l2_bidir');
    const out = readNpyFile(join(work, 'gru_l2_bidir', 'output.npy'));
    const data = Float32Array.from(out.toFloat32());
    const flat = 1 * out.shape[1]! * out.shape[2]! + 2 * out.shape[2]! + 5; // index [1, 2, 5]
    const truth = data[flat]!;
    data[flat] = truth + 1e-3;
    writeNpyFile(join(work, 'gru_l2_bidir', 'output.npy'), tensor(data, out.shape));
    const [c] = listGoldenCases(work, 'gru_l2_bidir');
    const result = await runGoldenCase(c!, 'safetensors', { engine: 'reference' });
    expect(result.ok).toBe(false);
    const output = result.tensors.find((t) => t.tensor === 'output')!.result;
    expect(output.mismatches).toBe(1);
    expect(output.worst?.index).toEqual([1, 2, 5]);
    expect(output.worst?.expected).toBe(Math.fround(truth + 1e-3));
    expect(Math.abs(output.worst!.got - truth)).toBeLessThan(1e-5);
    expect(result.tensors.find((t) => t.tensor === 'h_n')?.result.ok).toBe(true);
  });

  it('reports a module whose inferred config differs from case.json', async () => {
    const dir = copyCase('lstm_l2');
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    spec['options']!['num_layers'] = 3;
    writeFileSync(join(dir, 'case.json'), JSON.stringify(spec));
    const [c] = listGoldenCases(work, 'lstm_l2');
    const result = await runGoldenCase(c!, 'npz', { engine: 'reference' });
    expect(result.ok).toBe(false);
    expect(result.configMismatches).toEqual(['num_layers: got 2, expected 3']);
  });

  it('runs a layer case as output = module(input): a tampered value fails, an exact Embedding passes with tolerance 0', async () => {
    const [embedding] = listGoldenCases(defaultGoldenDir(), 'embedding_padding_idx_negative');
    const exact = await runGoldenCase(embedding!, 'pt', { engine: 'fast' });
    expect([exact.ok, exact.module, exact.mode, exact.maxAbs, embedding!.spec.atol, embedding!.spec.rtol]).toEqual([true, 'Embedding', 'Embedding', 0, 0, 0]);
    const dir = copyCase('layernorm_multidim');
    const out = readNpyFile(join(dir, 'output.npy'));
    const data = Float32Array.from(out.toFloat32());
    data[7] = data[7]! + 1e-3;
    writeNpyFile(join(dir, 'output.npy'), tensor(data, out.shape));
    const [c] = listGoldenCases(work, 'layernorm_multidim');
    const result = await runGoldenCase(c!, 'npy', { engine: 'reference' });
    expect(result.ok).toBe(false);
    expect(result.tensors.map((t) => [t.tensor, t.result.mismatches, t.result.worst?.index])).toEqual([['output', 1, [0, 1, 1]]]);
  });

  it("reports a layer whose options differ from case.json's constructor arguments", async () => {
    const dir = copyCase('embedding_padding_idx');
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    spec['options']!['num_embeddings'] = 21;
    writeFileSync(join(dir, 'case.json'), JSON.stringify(spec));
    const [c] = listGoldenCases(work, 'embedding_padding_idx');
    const result = await runGoldenCase(c!, 'safetensors', { engine: 'reference' });
    expect(result.configMismatches).toEqual(['num_embeddings: got 20, expected 21']);
  });

  it('refuses a weights format the case does not ship with E_BAD_OPTION', async () => {
    const [c] = listGoldenCases(defaultGoldenDir(), 'lstm_w_bf16');
    const attempt = runGoldenCase(c!, 'npz');
    await expect(attempt).rejects.toSatisfy((e) => isRnnportError(e) && e.code === 'E_BAD_OPTION');
  });
});
