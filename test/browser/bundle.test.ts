/**
 * The package through a bundler (esbuild, scripts/bundle_check.mjs): no Node built-ins, the
 * safetensors loader alone stays small and brings no pickle reader or engine, and the bundled
 * package runs a golden case with the WebAssembly engine in Chromium (the kernels are embedded:
 * no .wasm file to fetch).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBundles } from '../../scripts/bundle_check.mjs';
import * as safetensorsEntry from '../../src/safetensors.js';
import { startBrowserEnv, type BrowserEnv } from './helpers.js';

interface Bundle {
  readonly name: string;
  readonly code: string;
  readonly minified: number;
  readonly gzipped: number;
  readonly inputs: readonly string[];
  readonly unwanted: readonly string[];
}

const EVERYTHING = "everything (`import * from 'rnnport'`)";

let bundles: Bundle[];
let env: BrowserEnv;
beforeAll(async () => {
  bundles = (await checkBundles()) as Bundle[];
  env = await startBrowserEnv();
});
afterAll(async () => {
  await env?.close();
});

const bundle = (name: string): Bundle => {
  const found = bundles.find((b) => b.name === name);
  if (found === undefined) throw new Error(`no bundle ${name}`);
  return found;
};

describe('bundling for browsers', () => {
  it('rnnport/safetensors exports the safetensors reader and writer, Tensor and the errors', () => {
    expect(Object.keys(safetensorsEntry).sort()).toEqual(['DEFAULT_LIMITS', 'RNNPORT_ERROR_CODES', 'RnnportError', 'Tensor', 'isRnnportError', 'parseSafetensors', 'saveSafetensors', 'tensor']);
  });

  it('leaves out what an entry does not use', () => {
    for (const b of bundles) expect(b.unwanted, b.name).toEqual([]);
    expect(bundle('`rnnport/safetensors`').inputs).toContain('dist/io/safetensors.js');
    expect(bundle('`{ loadStateDict }` (every format)').inputs).toContain('dist/io/pickle/vm.js');
  });

  it('keeps explain free of the WebAssembly engine', () => {
    expect(bundle('`{ explain, explainSvg }`').minified).toBeLessThanOrEqual(65 * 1024);
  });

  it('keeps the safetensors loader small', () => {
    expect(bundle('`rnnport/safetensors`').gzipped).toBeLessThan(8 * 1024);
    expect(bundle('`{ parseSafetensors }` from `rnnport`').gzipped).toBeLessThan(8 * 1024);
    expect(bundle(EVERYTHING).gzipped).toBeLessThan(80 * 1024);
  });

  it("README.md's size table is current (within 10 %; regenerate with bundle_check.mjs --markdown)", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    for (const b of bundles) {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${b.name} |`));
      expect(row, b.name).toBeDefined();
      const [minified, gzipped] = [...(row ?? '').matchAll(/([\d.]+) KiB/g)].map((m) => Number(m[1]) * 1024);
      expect(Math.abs((minified ?? 0) / b.minified - 1), `${b.name} minified`).toBeLessThan(0.1);
      expect(Math.abs((gzipped ?? 0) / b.gzipped - 1), `${b.name} gzipped`).toBeLessThan(0.1);
    }
  });

  it('runs golden cases with the fast engine from the bundle: packed input, and streaming', async () => {
    const { page, errors } = await env.page();
    await page.route(`${env.url}/bundle/**`, (route) =>
      route.fulfill(
        route.request().url().endsWith('.js')
          ? { contentType: 'text/javascript', body: bundle(EVERYTHING).code }
          : { contentType: 'text/html', body: '<!doctype html><title>bundle</title>' },
      ),
    );
    await page.goto(`${env.url}/bundle/index.html`);
    // A string, not a function: the test runner rewrites import() in functions it compiles.
    const result = (await page.evaluate(`(async () => {
      const m = await import('/bundle/rnnport.js');
      const dir = '/golden/gru_packed_unsorted/';
      const load = async (file) => [...(await m.loadStateDict(await fetch(dir + file))).values()][0];
      const gru = m.fromStateDict(await m.loadStateDict(await fetch(dir + 'weights.safetensors')), { engine: 'fast' });
      const packed = m.packPaddedSequence(await load('input.npy'), await load('lengths.npy'), { enforceSorted: false });
      const { output, hN } = gru.forward(packed, await load('h_0.npy'));
      const [padded] = m.padPackedSequence(output, { paddingValue: -7.5, totalLength: 5 });
      const tol = { atol: 1e-5, rtol: 1e-4 };
      // Streaming, one step at a time, gives the steps of forward's output.
      const l3 = async (file) => [...(await m.loadStateDict(await fetch('/golden/lstm_l3/' + file))).values()][0];
      const lstm = m.fromStateDict(await m.loadStateDict(await fetch('/golden/lstm_l3/weights.safetensors')), { engine: 'fast' });
      const x = await l3('input.npy');
      const [T, B, I] = x.shape;
      const s = lstm.stream({ batch: B });
      s.state = [await l3('h_0.npy'), await l3('c_0.npy')];
      const steps = new Float32Array(T * B * lstm.hiddenSize);
      for (let t = 0; t < T; t++) steps.set(s.step(x.data.subarray(t * B * I, (t + 1) * B * I)), t * B * lstm.hiddenSize);
      const expected = await l3('output.npy');
      const stream = m.compareTensors(m.tensor(steps, expected.shape), expected, tol).ok;
      return { engine: gru.engine, output: m.compareTensors(padded, await load('output.npy'), tol).ok, hN: m.compareTensors(hN, await load('h_n.npy'), tol).ok, stream };
    })()`)) as { engine: string; output: boolean; hN: boolean; stream: boolean };
    expect(result).toEqual({ engine: 'fast', output: true, hN: true, stream: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
