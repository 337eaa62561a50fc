// Case files read strictly (docs/case-format.md): the fixtures written by python/rnnport_capture.py
// under PyTorch 2.13 and 1.13, what a description must hold, the round trip through saveCase, and
// a golden case expressed as run would take it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_METADATA_KEY, loadCase, saveCase } from '../../../src/conformance/case.js';
import { runCase } from '../../../src/conformance/implementation.js';
import { expressGolden } from '../../../src/conformance/golden.js';
import { listGoldenCases } from '../../../src/cli/golden.js';
import { saveSafetensors } from '../../../src/io/safetensors.js';
import { openWeights } from '../../../src/io/load.js';
import { bytesSource } from '../../../src/io/source.js';
import { codeOf } from '../../support/errors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DIR = join(ROOT, 'test', 'fixtures', 'cases');
const files = readdirSync(DIR).filter((f) => f.endsWith('.safetensors')).sort();
const bytes = (f: string): Uint8Array => readFileSync(join(DIR, f));

describe('loadCase', () => {
  it.each(files)('%s: a schema-1 case rnnport runs to PyTorch\'s values', async (file) => {
    const c = loadCase(bytes(file), file);
    expect(c.description.schema).toBe(1);
    expect(c.description.torch).toMatch(/^(2\.13|1\.13)/);
    expect([...c.weights.keys()].every((k) => !k.startsWith('__case__.'))).toBe(true);
    const outcome = await runCase(c, { engine: 'reference' });
    expect(outcome.status, outcome.reason ?? '').toBe('ok');
  });

  it('round-trips through saveCase', () => {
    const c = loadCase(bytes('lstm_packed_batch_first.safetensors'));
    const again = loadCase(saveCase(c));
    expect(again.description).toEqual(c.description);
    expect([...again.weights.keys()]).toEqual([...c.weights.keys()].sort());
    expect(again.lengths?.data).toEqual(c.lengths?.data);
    expect(again.expected.cN?.data).toEqual(c.expected.cN?.data);
  });

  const rewrite = (file: string, edit: (d: Record<string, unknown>) => void, drop?: string): Uint8Array => {
    const index = openWeights(bytesSource(bytes(file)));
    const d = JSON.parse(index.metadata[CASE_METADATA_KEY] as string) as Record<string, unknown>;
    edit(d);
    const tensors = new Map([...index.load()].filter(([k]) => k !== drop));
    return saveSafetensors(tensors, { [CASE_METADATA_KEY]: JSON.stringify(d) });
  };

  it.each<[string, Uint8Array]>([
    ['a schema it does not know', rewrite('gru_f64.safetensors', (d) => (d['schema'] = 2))],
    ['a module that is not recurrent', rewrite('gru_f64.safetensors', (d) => (d['module'] = 'Conv1d'))],
    ['a prefix without its dot', rewrite('encoder_lstm_prefixed.safetensors', (d) => (d['prefix'] = 'encoder.rnn'))],
    ['a negative tolerance', rewrite('gru_f64.safetensors', (d) => (d['tolerance'] = { atol: -1, rtol: 0 }))],
    ['a dtype that is not the tensors\'', rewrite('gru_f64.safetensors', (d) => (d['dtype'] = 'float32'))],
    ['a missing expected output', rewrite('gru_f64.safetensors', () => undefined, '__case__.output')],
    ['packed without lengths', rewrite('gru_packed_h0.safetensors', () => undefined, '__case__.lengths')],
    ['an LSTM state without c_0', rewrite('lstm_h0_c0.safetensors', () => undefined, '__case__.c_0')],
    ['no description at all', saveSafetensors(new Map())],
  ])('%s is E_CASE_FORMAT', (_, file) => {
    expect(codeOf(() => loadCase(file))).toBe('E_CASE_FORMAT');
  });

  it('takes bytes or an opened index, and nothing else (E_BAD_ARGUMENT)', () => {
    expect(loadCase(openWeights(bytesSource(bytes('gru_f64.safetensors')))).name).toBe('gru_f64');
    expect(codeOf(() => loadCase(null as never))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => loadCase('case.safetensors' as never))).toBe('E_BAD_ARGUMENT');
  });
});

describe('expressGolden', () => {
  const golden = listGoldenCases(join(ROOT, 'golden'));
  const find = (name: string): (typeof golden)[number] => golden.find((c) => c.name === name) as (typeof golden)[number];

  it('turns a packed golden case into run\'s inputs and compares its output up to its length', async () => {
    const g = find('gru_packed_sorted');
    const c = await expressGolden(g.spec, g.files);
    if ('notExpressible' in c) throw new Error(c.notExpressible);
    expect(c.lengths?.dtype).toMatch(/int/);
    expect((await runCase(c, { engine: 'reference' })).status).toBe('ok');
  });

  it.each([
    ['lstm_pack_sequence', /built with pack_sequence/],
    ['gru_packed_unsorted', /padding_value -7\.5/],
    ['linear', /nn\.Linear case/],
  ])('%s is not expressible: %s', async (name, why) => {
    const g = find(name);
    const c = await expressGolden(g.spec, g.files);
    expect('notExpressible' in c && c.notExpressible).toMatch(why);
  });
});
