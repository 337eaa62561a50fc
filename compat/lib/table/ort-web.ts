/**
 * onnxruntime-web (its WebAssembly backend, one thread) in headless Chromium (Debian's
 * /usr/bin/chromium, or CHROMIUM_PATH), as a model runner: Node hands the page a model's bytes and
 * the feeds, the page runs one session and hands the outputs back. onnxruntime-web's files are
 * served from node_modules by request interception (no server, no network).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Tensor } from '../../../dist/index.js';
import type { ModelRunner } from './onnx-runners.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ORIGIN = 'http://rnnport.test';
const ORT_DIST = join(import.meta.dirname, '../../node_modules/onnxruntime-web/dist');

/** A tensor as plain data (crosses into the page as JSON: float32 and float64 values survive exactly). */
interface Plain {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: readonly number[];
}

const plain = (t: Tensor): Plain => ({ type: t.dtype, dims: t.shape, data: Array.from(t.data as ArrayLike<number | bigint>, Number) });
const fromPlain = (p: Plain): Tensor =>
  p.type === 'float64' ? new Tensor('float64', p.dims, Float64Array.from(p.data)) : p.type === 'int64' ? new Tensor('int64', p.dims, BigInt64Array.from(p.data, BigInt)) : new Tensor('float32', p.dims, Float32Array.from(p.data));

/** Starts Chromium with onnxruntime-web loaded in a page. */
export async function openOrtWeb(): Promise<ModelRunner> {
  const browser: Browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: FLAGS });
  try {
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/index.html') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rnnport compat</title>' });
      const name = path.replace(/^\/ort\//, '');
      if (path.startsWith('/ort/') && /^[\w.-]+$/.test(name)) {
        return route.fulfill({ contentType: name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', body: readFileSync(join(ORT_DIST, name)) });
      }
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.goto(`${ORIGIN}/index.html`);
    await page.evaluate(`(async () => {
      globalThis.ort = await import('${ORIGIN}/ort/ort.wasm.min.mjs');
      ort.env.wasm.wasmPaths = '${ORIGIN}/ort/';
      ort.env.wasm.numThreads = 1;
    })()`);
    const browserVersion = browser.version();
    return {
      detail: `Chromium ${browserVersion}`,
      async run(model, feeds) {
        const plainFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, plain(t)]));
        const results = (await page
          .evaluate(
          `(async ({ model, feeds }) => {
            const bytes = Uint8Array.from(atob(model), (ch) => ch.charCodeAt(0));
            const session = await ort.InferenceSession.create(bytes);
            try {
              const arrays = { float32: Float32Array, float64: Float64Array };
              const ortFeeds = {};
              for (const [k, f] of Object.entries(feeds)) {
                ortFeeds[k] = new ort.Tensor(f.type, f.type === 'int64' ? BigInt64Array.from(f.data, BigInt) : arrays[f.type].from(f.data), f.dims);
              }
              const out = await session.run(ortFeeds);
              return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: t.dims, data: Array.from(t.data, Number) }]));
            } finally {
              await session.release();
            }
          })(${JSON.stringify({ model: Buffer.from(model).toString('base64'), feeds: plainFeeds })})`,
          )
          // the page's message without its stack (minified ort frames say nothing to a reader)
          .catch((e: unknown) => Promise.reject(new Error(String(e instanceof Error ? e.message : e).split(/\n\s+at /)[0])))) as Record<string, Plain>;
        if (errors.length > 0) throw new Error(`page error: ${errors.splice(0).join('; ')}`);
        return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, fromPlain(v)]));
      },
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
