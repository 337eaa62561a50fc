/**
 * The built package in Chromium: golden cases written by PyTorch run in a page
 * (examples/browser/conformance.html) with both engines and every weights format a page can
 * fetch, and match PyTorch's arrays within each case's tolerance.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startBrowserEnv, waitForConformance, type BrowserEnv } from './helpers.js';

/** A projected bidirectional LSTM, an unsorted packed GRU, a float64 RNN, and a .pt checkpoint that nests its state_dict under a key. */
const CASES = ['lstm_proj_bidir_l2_h0', 'gru_packed_unsorted', 'rnn_tanh_f64', 'multi_nested'];
const FORMATS = ['safetensors', 'npz', 'pt'];
/** `fast:plain` and `fast:relaxed` are the two kernel builds (Chromium has relaxed SIMD). */
const ENGINES = ['reference', 'fast:plain', 'fast:relaxed'];

interface Run {
  readonly case: string;
  readonly format: string;
  readonly engine: string;
  readonly ran?: string;
  readonly dtype?: string;
  readonly ok: boolean;
  readonly maxAbs?: number;
  readonly error?: string;
  readonly skipped?: string;
}

let env: BrowserEnv;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Runs cases (all when empty) in conformance.html; the page must log no error. */
async function runInPage(cases: readonly string[], formats: readonly string[], engines: readonly string[], screenshot?: string): Promise<Run[]> {
  const { page, errors } = await env.page();
  const query = new URLSearchParams({ ...(cases.length > 0 && { cases: cases.join(',') }), formats: formats.join(','), engines: engines.join(',') });
  await page.goto(`${env.url}/examples/browser/conformance.html?${query}`);
  await waitForConformance(page);
  const results = (await page.evaluate('globalThis.rnnportConformance.results')) as Run[];
  if (screenshot !== undefined) await page.screenshot({ path: join(ARTIFACTS, screenshot) });
  await page.close();
  expect(errors).toEqual([]);
  return results;
}

describe('golden cases in Chromium', () => {
  it('match PyTorch with both engines (both kernel builds) from safetensors, npz and .pt', async () => {
    const results = await runInPage(CASES, FORMATS, ENGINES);
    expect(results).toHaveLength(CASES.length * FORMATS.length * ENGINES.length);
    for (const r of results) {
      expect(r.skipped, `${r.case} ${r.format}`).toBeUndefined();
      expect(r.error, `${r.case} ${r.format} ${r.engine}`).toBeUndefined();
      expect(r.ok, `${r.case} ${r.format} ${r.engine}: max abs error ${r.maxAbs}`).toBe(true);
      // The fast engine may hand float64 to the reference loops; float32 must run where asked.
      if (r.dtype === 'float32') expect(r.ran, `${r.case} ${r.format} ${r.engine}`).toBe(r.engine.split(':')[0]);
    }
    expect(results.find((r) => r.case === 'rnn_tanh_f64')?.dtype).toBe('float64');
  });
});

describe('every golden case in Chromium', () => {
  it('matches PyTorch from safetensors with both engines', async () => {
    const results = await runInPage([], ['safetensors'], ['reference', 'fast'], 'conformance.png');
    const failed = results.filter((r) => !r.ok && r.skipped === undefined);
    expect(failed).toEqual([]);
    expect(results.filter((r) => r.skipped === undefined).length).toBeGreaterThan(400);
  });
});

describe('loading weights in Chromium', () => {
  it('reads safetensors, npz and .pt from a Response, a File, a Blob, an ArrayBuffer and a Uint8Array alike', async () => {
    const { page, errors } = await env.page();
    await page.goto(`${env.url}/examples/browser/`);
    // A string, not a function: the test runner rewrites import() in functions it compiles.
    const counts = (await page.evaluate(`(async () => {
      const { loadStateDict } = await import('rnnport');
      const out = {};
      for (const file of ['weights.safetensors', 'weights.npz', 'weights.pt']) {
        const url = '/golden/multi_nested/' + file;
        const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
        const sources = [await fetch(url), new File([bytes], file), new Blob([bytes]), bytes.buffer, bytes];
        const dicts = [];
        for (const source of sources) dicts.push(await loadStateDict(source, file.endsWith('.pt') ? { key: 'model' } : {}));
        out[file] = dicts.map((sd) => [...sd.keys()].sort().join(','));
      }
      return out;
    })()`)) as Record<string, string[]>;
    const keys = Object.values(counts).flat();
    expect(keys).toHaveLength(15);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]?.split(',')).toContain('decoder.rnn.weight_ih_l0');
    expect(errors).toEqual([]);
    await page.close();
  });
});
