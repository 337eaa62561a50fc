/**
 * rnnport/onnx in headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH) with
 * onnxruntime-web's WebAssembly backend: the page loads golden weights from safetensors bytes,
 * exports them with toOnnx, runs the model in onnxruntime-web, and Node compares the results with
 * PyTorch's; then onnxModule runs a packed batch against the module's own forward in the page.
 * The page's code is rnnport's built dist/ bundled by esbuild; onnxruntime-web's files are served
 * from node_modules. Every request is answered by the test (no server, no network).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, describeFailures, goldenCases, prepare } from '../lib/golden.js';
import { fromPlain, openOrtPage, ORIGIN, plain, type Plain } from '../lib/table/ort-web.js';

/** Every golden case the export expresses (as in golden-node.test.ts), default lowering. */
const CASES = goldenCases()
  .filter((c) => c.coverage !== 'not expressible')
  .map((c) => c.name);

const PAGE_ENTRY = `
export { toOnnx, onnxModule } from './dist/onnx.js';
export { loadStateDict, fromStateDict, packPaddedSequence, Tensor } from './dist/index.js';
`;

let browser: Browser;
let page: Page;
let errors: string[] = [];

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: PAGE_ENTRY, resolveDir: join(import.meta.dirname, '../..'), sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  ({ browser, page, errors } = await openOrtPage({ '/rnnport.js': bundle.outputFiles[0]!.text }));
  await page.evaluate(`(async () => { globalThis.rnnport = await import('${ORIGIN}/rnnport.js'); })()`);
});

afterAll(async () => {
  await browser?.close();
});

describe('onnxruntime-web (WebAssembly) in Chromium', () => {
  const all = new Map(goldenCases().map((c) => [c.name, c]));

  it.each(CASES)('%s: exported in the page, run by onnxruntime-web, equal to PyTorch', async (name) => {
    const c = all.get(name);
    if (c === undefined) throw new Error(`no golden case ${name}`);
    const p = prepare(c);
    const weights = readFileSync(join(c.dir, c.spec.weights['safetensors'] as string)).toString('base64');
    const feeds = Object.fromEntries(Object.entries(p.feeds).map(([k, t]) => [k, plain(t)]));
    const results = (await page.evaluate(
      `(async ({ weights, options, feeds }) => {
        const bytes = Uint8Array.from(atob(weights), (ch) => ch.charCodeAt(0));
        const sd = await rnnport.loadStateDict(bytes);
        const session = await ort.InferenceSession.create(rnnport.toOnnx(sd, options));
        const arrays = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array };
        const ortFeeds = {};
        for (const [k, f] of Object.entries(feeds)) {
          ortFeeds[k] = new ort.Tensor(f.type, f.type === 'int64' ? BigInt64Array.from(f.data, BigInt) : arrays[f.type].from(f.data), f.dims);
        }
        const out = await session.run(ortFeeds);
        await session.release();
        return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: t.dims, data: Array.from(t.data, Number) }]));
      })(${JSON.stringify({ weights, options: p.options, feeds })})`,
    )) as Record<string, Plain>;
    const got = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, fromPlain(v)]));
    expect(describeFailures(name, check(p, got))).toBe('');
    expect(errors).toEqual([]);
  });

  it('onnxModule runs a packed batch with unsorted lengths like the module (reference engine) in the page', async () => {
    const c = all.get('lstm_l2_bidir');
    if (c === undefined) throw new Error('no golden case lstm_l2_bidir');
    const weights = readFileSync(join(c.dir, 'weights.safetensors')).toString('base64');
    const worst = (await page.evaluate(
      `(async ({ weights }) => {
        const bytes = Uint8Array.from(atob(weights), (ch) => ch.charCodeAt(0));
        const module = rnnport.fromStateDict(await rnnport.loadStateDict(bytes), { engine: 'reference' });
        const [T, B, I] = [5, 4, module.inputSize];
        const x = new rnnport.Tensor('float32', [T, B, I], Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i)));
        const packed = rnnport.packPaddedSequence(x, [3, 5, 1, 4], { enforceSorted: false });
        const m = await rnnport.onnxModule(module, ort);
        const got = await m.forward(packed);
        const want = module.forward(packed);
        await m.dispose();
        const diff = (a, b) => a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i])), 0);
        return { output: diff(got.output.data.data, want.output.data.data), hN: diff(got.hN.data, want.hN.data), cN: diff(got.cN.data, want.cN.data),
                 batchSizes: Array.from(got.output.batchSizes).join(',') === Array.from(want.output.batchSizes).join(',') };
      })(${JSON.stringify({ weights })})`,
    )) as { output: number; hN: number; cN: number; batchSizes: boolean };
    expect(worst.batchSizes).toBe(true);
    expect(Math.max(worst.output, worst.hN, worst.cN)).toBeLessThan(1e-5);
  });
});
