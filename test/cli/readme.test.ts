/** The README's contracts: the two Quick start commands, and an error table that lists every code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RNNPORT_ERROR_CODES } from '../../src/errors.js';
import { explain, explainSvg } from '../../src/explain/index.js';
import { ROOT } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README.md', () => {
  it('Quick start has the main job and the test command, each alone in a code block', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    const blocks = [...quick.matchAll(/```sh\n([^`]*)```/g)].map((m) => (m[1] as string).trim());
    expect(blocks).toEqual(['npm install && npm run conformance', 'npm install && npm test']);
  });

  it('the error table lists exactly RNNPORT_ERROR_CODES, in order', () => {
    const table = [...readme.matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(table).toEqual([...RNNPORT_ERROR_CODES]);
  });

  it('links files that exist', () => {
    for (const [, target] of readme.matchAll(/\]\(((?:docs|examples)\/[^)]+)\)/g)) {
      expect(() => readFileSync(join(ROOT, target as string)), target).not.toThrow();
    }
  });

  it('the explain pictures in docs/ are what explainSvg draws today', () => {
    const pictures = {
      'docs/explain-gru-packed.svg': { mode: 'GRU', hiddenSize: 4, numLayers: 2, bidirectional: true, lengths: [5, 3, 2] },
      'docs/explain-lstm.svg': { mode: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true },
    } as const;
    for (const [file, config] of Object.entries(pictures)) {
      expect(readFileSync(join(ROOT, file), 'utf8'), `${file}: regenerate with rnnport explain ... --svg ${file}`).toBe(explainSvg(explain(config)));
    }
  });
});
