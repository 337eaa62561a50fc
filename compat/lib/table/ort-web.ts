/**
 * onnxruntime-web (its WebAssembly backend, one thread) in headless Chromium (Debian's
 * /usr/bin/chromium, or CHROMIUM_PATH). `openOrtPage` starts the browser with a page that has
 * `globalThis.ort` loaded, onnxruntime-web's files served from node_modules by request interception
 * (no server, no network); `openOrtWeb` makes it a model runner for the table: Node hands the page
 * a model's bytes and the feeds, the page runs one session and hands the outputs back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Tensor } from '../../../dist/index.js';
import type { ModelRunner } from './onnx-runners.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const ORIGIN = 'http://rnnport.test';
const ORT_DIST = join(import.meta.dirname, '../../node_modules/onnxruntime-web/dist');

/** A tensor as plain data (crosses into a page as JSON: float32 and float64 values survive exactly). */
export interface Plain {
  readonly type: 'float32' | 'float64' | 'int64';
  readonly dims: readonly number[];
  readonly data: readonly number[];
}

export const plain = (t: Tensor): Plain => ({ type: t.dtype as Plain['type'], dims: t.shape, data: Array.from(t.data as ArrayLike<number | bigint>, Number) });
export const fromPlain = (p: Plain): Tensor =>
  p.type === 'float64' ? new Tensor('float64', p.dims, Float64Array.from(p.data)) : p.type === 'int64' ? new Tensor('int64', p.dims, BigInt64Array.from(p.data, BigInt)) : new Tensor('float32', p.dims, Float32Array.from(p.data));

export interface OrtPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Errors the page threw outside an evaluate (`pageerror`), in order. */
  readonly errors: string[];
}

/**
 * Chromium with a page at `${ORIGIN}/index.html` where `ort` is onnxruntime-web; `scripts` are
 * further JavaScript files the page may import, by path (e.g. `/rnnport.js`: a bundle).
 */
export async function openOrtPage(scripts: Readonly<Record<string, string>> = {}): Promise<OrtPage> {
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: FLAGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/index.html') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rnnport onnx</title>' });
      const script = scripts[path];
      if (script !== undefined) return route.fulfill({ contentType: 'text/javascript', body: script });
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
    return { browser, page, errors };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** onnxruntime-web in Chromium as a model runner. */
export async function openOrtWeb(): Promise<ModelRunner> {
  const { browser, page, errors } = await openOrtPage();
  return {
    detail: `Chromium ${browser.version()}`,
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
}
