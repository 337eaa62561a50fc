/**
 * Shared by the browser tests: headless Chromium (Debian's, as CI installs it with apt-get) and
 * the demo's static server (scripts/serve.mjs) on 127.0.0.1 at a free port.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A running Chromium and server; `close()` stops both. */
export interface BrowserEnv {
  readonly browser: Browser;
  readonly url: string;
  /** A new page whose console errors, uncaught exceptions and failed requests are collected in `errors`. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function startBrowserEnv(): Promise<BrowserEnv> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await serve({ port: 0 });
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: FLAGS });
  return {
    browser,
    url: server.url,
    async page() {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      return { page, errors };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Waits until the conformance page says it is done, failing only when it makes no progress (no new
 * result) for `stallMs`: a loaded machine makes the page slower, not stuck, so the limit is on
 * progress, not on the total time.
 */
export async function waitForConformance(page: Page, stallMs = 60_000): Promise<void> {
  let seen = -1;
  let since = Date.now();
  for (;;) {
    const state = (await page.evaluate('({ done: globalThis.rnnportConformance?.done === true, n: globalThis.rnnportConformance?.results?.length ?? 0 })')) as { done: boolean; n: number };
    if (state.done) return;
    if (state.n !== seen) {
      seen = state.n;
      since = Date.now();
    } else if (Date.now() - since > stallMs) {
      throw new Error(`conformance page made no progress for ${stallMs / 1000} s (stuck after ${seen} result(s))`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
