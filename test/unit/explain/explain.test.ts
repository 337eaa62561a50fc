import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/explain/explain.js';
import type { ExplainConfig } from '../../../src/explain/facts.js';
import { explainSvg } from '../../../src/explain/svg.js';
import { explainText } from '../../../src/explain/text.js';

const configs: ExplainConfig[] = [];
for (const mode of ['RNN', 'GRU', 'LSTM'] as const) {
  for (const bidirectional of [false, true]) {
    for (const numLayers of [1, 3]) {
      for (const shape of [{}, { batchFirst: true, seqLen: 4, batch: 3 }, { lengths: [4, 1, 3] }, { lengths: [2, 5], batchFirst: true, seqLen: 6 }]) {
        configs.push({ mode, hiddenSize: 3, inputSize: 2, numLayers, bidirectional, ...(mode === 'LSTM' && numLayers === 3 ? { projSize: 2 } : {}), ...shape });
      }
    }
  }
}

describe('explain: every fact holds when the configuration is run (reference engine)', () => {
  it.each(configs.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, config) => {
    const e = explain(config);
    expect(e.check.holds.length).toBe(e.equalities.length);
    expect(e.check.holds.every(Boolean)).toBe(true);
  });
});

describe('renderers take the same explanation', () => {
  const e = explain({ mode: 'LSTM', hiddenSize: 4, numLayers: 2, bidirectional: true, lengths: [3, 1] });

  it('text: shapes, h_n rows and checked equalities', () => {
    const text = explainText(e);
    expect(text).toContain('h_n.view(2, 2, 2, 4)[layer, direction] == h_n[layer*2 + direction]');
    expect(text).toMatch(/h_n\[3\]\s+layer 1 reverse\s+state at t = 0\s+also in output, second half/);
    expect(text).toMatch(/✓\s+output\[0, 1, :4\] == h_n\[-2, 1\]/);
    expect(text).not.toContain('✗');
  });

  it('svg: a standalone document with a panel per sequence and the h_n / c_n boxes', () => {
    const svg = explainSvg(e);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('sequence b = 1: length 1, padded to 3');
    expect(svg).toContain('h_n[3, 0], c_n[3, 0]');
    expect(svg.match(/<text /g)?.length).toBe(svg.match(/<\/text>/g)?.length);
  });

  it('svg: says how many checked facts it does not draw, and whether they hold', () => {
    const big = explain({ mode: 'GRU', hiddenSize: 4, numLayers: 2, bidirectional: true, lengths: [5, 3, 2] });
    const drawn = explainSvg(big).match(/>[✓✗] /g)?.length ?? 0;
    expect(drawn).toBe(6);
    expect(explainSvg(big)).toContain(`… and ${big.equalities.length - drawn} more fact(s) checked, not drawn (all hold)`);
    const small = explain({ mode: 'RNN', hiddenSize: 2 });
    expect(small.equalities.length).toBeLessThanOrEqual(6);
    expect(explainSvg(small)).not.toContain('more fact(s) checked');
  });

  it('svg: long sequences are drawn with an ellipsis, keeping the steps that matter', () => {
    const svg = explainSvg(explain({ mode: 'GRU', hiddenSize: 2, seqLen: 40, lengths: [40, 17] }));
    expect(svg).toContain('…');
    for (const t of [0, 15, 16, 17, 39]) expect(svg).toContain(`>t = ${t}<`);
    expect(svg).not.toContain('>t = 25<');
  });
});
