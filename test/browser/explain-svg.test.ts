/**
 * `explain --svg` in headless Chromium (npm run test:browser): the picture renders, stays inside
 * its canvas, no two labels overlap, and a label drawn in a box fits inside it. Screenshots go to test-artifacts/ for a person to look at.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, explainSvg, type ExplainConfig } from '../../src/explain/index.js';
import { ARTIFACTS, startBrowserEnv, type BrowserEnv } from './helpers.js';

let env: BrowserEnv;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => {
  await env?.close();
});

interface Box {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const pictures: [string, ExplainConfig][] = [
  ['gru-bidir-l2-packed', { mode: 'GRU', hiddenSize: 4, numLayers: 2, bidirectional: true, lengths: [5, 3, 2] }],
  ['lstm-bidir-l2', { mode: 'LSTM', hiddenSize: 4, numLayers: 2, bidirectional: true }],
  ['rnn-long-packed', { mode: 'RNN', hiddenSize: 2, seqLen: 40, lengths: [40, 17] }],
  // the widest h_n labels: `h_n[3, 2], c_n[3, 2]`
  ['lstm-proj-bidir-l2-packed', { mode: 'LSTM', inputSize: 16, hiddenSize: 32, projSize: 8, numLayers: 2, bidirectional: true, lengths: [5, 3, 2] }],
];

describe('explain --svg in Chromium', () => {
  it.each(pictures)('%s renders inside its canvas, labels neither overlapping nor spilling out of their boxes', async (name, config) => {
    const svg = explainSvg(explain(config));
    writeFileSync(join(ARTIFACTS, `explain-${name}.svg`), svg);
    const page = await env.browser.newPage();
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const { width, height, boxes, spills } = await page.evaluate(() => {
      const root = document.querySelector('svg') as SVGSVGElement;
      const list = [...root.querySelectorAll('text')].map((t) => {
        const b = t.getBBox();
        return { text: t.textContent ?? '', x: b.x, y: b.y, width: b.width, height: b.height };
      });
      const rects = [...root.querySelectorAll('rect')].map((r) => r.getBBox()).filter((r) => r.width < root.width.baseVal.value);
      // a label whose centre lies in a box must lie inside that box
      const spilled = list.filter((t) => {
        const cx = t.x + t.width / 2;
        const cy = t.y + t.height / 2;
        const box = rects.find((r) => cx > r.x && cx < r.x + r.width && cy > r.y && cy < r.y + r.height);
        return box !== undefined && (t.x < box.x || t.x + t.width > box.x + box.width);
      });
      return { width: root.width.baseVal.value, height: root.height.baseVal.value, boxes: list, spills: spilled.map((t) => t.text) };
    });
    await (await page.$('svg'))?.screenshot({ path: join(ARTIFACTS, `explain-${name}.png`) });
    await page.close();

    expect(boxes.length).toBeGreaterThan(40);
    for (const b of boxes) {
      expect(b.x, b.text).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, b.text).toBeLessThanOrEqual(width);
      expect(b.y + b.height, b.text).toBeLessThanOrEqual(height);
    }
    const overlaps: string[] = [];
    const inset = 1; // glyph boxes of neighbouring lines touch by a pixel
    boxes.forEach((a: Box, i) => {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.width - inset <= b.x || b.x + b.width - inset <= a.x || a.y + a.height - inset <= b.y || b.y + b.height - inset <= a.y;
        if (!apart) overlaps.push(`${JSON.stringify(a.text)} × ${JSON.stringify(b.text)}`);
      }
    });
    expect(overlaps).toEqual([]);
    expect(spills).toEqual([]);
  });
});
