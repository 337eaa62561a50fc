/**
 * Issue 14's reproducers, each run through the built CLI in a child process: the answer (one
 * `rnnport: E_CODE: message` line and exit 1, or exit 0), within a 20 s ceiling and the README's
 * memory budget above the same command on a tiny valid file, and no control character printed
 * raw. Files: test/malformed/budget/ (scripts/make_budget_corpus.ts), test/malformed/pt/ and
 * test/fixtures/pt/ (scripts/gen_pt_fixtures.py, PyTorch-written); files too large to commit and
 * non-regular files are made here, in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBudgetCorpus, largeCases, type BudgetCommand } from '../../scripts/make_budget_corpus.js';
import { saveNpy } from '../../src/io/npy.js';
import { tensor } from '../../src/tensor.js';
import { measuredCli, measuredScript, rssBudget, TIME_CEILING_MS, type Measured } from '../support/budget.js';
import { ensureBuilt, golden } from '../cli/helpers.js';

const HERE = import.meta.dirname;
const BUDGET = join(HERE, 'budget');
const PT = join(HERE, 'pt');
const FIXTURES = join(HERE, '..', 'fixtures', 'pt');
/** Printed raw, these move the cursor, clear the screen, reorder text or forge lines (newline excepted: it ends lines). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

interface CorpusCase {
  readonly file: string;
  readonly item: number;
  readonly command: BudgetCommand;
  readonly code: string | null;
  readonly why: string;
}

let tmp: string;
const baseline: Record<'inspect' | 'run' | 'explain', number> = { inspect: 0, run: 0, explain: 0 };
const x = (inputSize: number): string => join(tmp, `x${inputSize}.npy`);

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'rnnport-budget-'));
  for (const i of [2, 3]) writeFileSync(x(i), saveNpy(tensor(new Float32Array(5 * i).fill(0.5), [5, 1, i])));
  // Baselines: the same commands on a small valid file.
  const gru = golden('gru_l1', 'weights.safetensors');
  [baseline.inspect, baseline.run, baseline.explain] = (
    await Promise.all([measuredCli(['inspect', gru]), measuredCli(['run', gru, '--input', golden('gru_l1', 'input.npy'), '--out', join(tmp, 'base')]), measuredCli(['explain', gru])])
  ).map((r) => r.peakRss) as [number, number, number];
  for (const b of Object.values(baseline)) expect(b).toBeGreaterThan(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function argsOf(command: BudgetCommand, file: string, input = x(2)): string[] {
  if (typeof command === 'object') return ['inspect', file, '--key', command.inspectKey];
  if (command === 'inspect --json') return ['inspect', file, '--json'];
  if (command === 'run') return ['run', file, '--input', input, '--out', join(tmp, 'out')];
  return [command, file];
}

/** The answer, and its cost within the budget; returns the measurement for further checks. */
async function expectAnswer(args: readonly string[], code: string | null, file?: string, tensors = 0): Promise<Measured> {
  const r = await measuredCli(args);
  const kind = args[0] === 'run' ? 'run' : args[0] === 'explain' ? 'explain' : 'inspect';
  const size = file === undefined ? 0 : statSync(file).size;
  const what = `${args.join(' ').slice(0, 200)}: ${r.stderr.slice(0, 300)}`;
  expect(r.signal, what).toBeNull();
  expect({ exit: r.code, code: r.errorCode ?? null }, what).toEqual({ exit: code === null ? 0 : 1, code });
  if (code !== null) {
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('rnnport: using the state_dict'));
    expect(lines, what).toHaveLength(1);
  }
  expect(r.ms, what).toBeLessThan(TIME_CEILING_MS);
  expect(r.peakRss, what).toBeLessThanOrEqual(rssBudget(baseline[kind], size, tensors));
  expect(RAW_CONTROL.test(r.stdout) || RAW_CONTROL.test(r.stderr), `${what}: a raw control character was printed`).toBe(false);
  return r;
}

describe.concurrent('budget corpus (test/malformed/budget)', () => {
  const cases = JSON.parse(readFileSync(join(BUDGET, 'cases.json'), 'utf8')) as CorpusCase[];

  it('is what scripts/make_budget_corpus.ts builds, byte for byte, with a reproducer for items 1, 3, 8 and 9', () => {
    const built = buildBudgetCorpus();
    expect(built.map(({ bytes: _, ...c }) => c)).toEqual(cases);
    for (const c of built) expect(new Uint8Array(readFileSync(join(BUDGET, c.file))), c.file).toEqual(c.bytes);
    expect(new Set(cases.map((c) => c.item))).toEqual(new Set([1, 3, 8, 9]));
  });

  for (const c of cases) {
    const label = typeof c.command === 'object' ? `inspect --key ${c.command.inspectKey}` : c.command;
    it(`item ${c.item}: ${label} ${c.file} → ${c.code ?? 'exit 0'} (${c.why})`, async () => {
      const file = join(BUDGET, c.file);
      const r = await expectAnswer(argsOf(c.command, file), c.code, file);
      if (c.command === 'inspect --json') {
        const doc = JSON.parse(r.stdout) as { metadata: Record<string, string>; tensors: { name: string }[] };
        expect(doc.tensors.length).toBeGreaterThan(0);
        if (c.file === 'metadata_proto.safetensors') {
          expect(Object.keys(doc.metadata)).toEqual(['__proto__', 'toString', 'hasOwnProperty', 'constructor']);
        } else {
          expect(doc.tensors.map((t) => t.name)).toContain('\u001b[2J\u001b[Hcleared.weight_ih_l0');
          expect(doc.metadata['\u001b]0;pwned\u0007']).toBe('\u001b[31mred');
        }
      }
      if (c.command === 'inspect' && c.file === 'control_names.safetensors') {
        expect(r.stdout.split('\n').filter((l) => l === 'modules')).toHaveLength(1);
        expect(r.stdout).toContain('\\x1b[2J');
      }
      if (c.file === 'layer_billion.safetensors' && c.command === 'inspect') {
        expect(r.stdout).toContain('cannot infer: E_MISSING_PARAMETER');
        expect(r.stdout.length).toBeLessThan(4096);
      }
    });
  }
});

describe.concurrent('PyTorch-written reproducers (items 2, 7, 10)', () => {
  it.each<[string, string, string | null, number]>([
    ['expand_32000.pt', 'run', 'E_LIMIT', 2],
    ['expand_32000.pt', 'explain', 'E_LIMIT', 2],
    ['expand_32000.pt', 'inspect', null, 2],
    ['storage_float_half.pt', 'run', 'E_STORAGE_BOUNDS', 7],
    ['storage_double_float.pt', 'run', 'E_STORAGE_BOUNDS', 7],
  ])('%s: %s → %s (item %d)', async (file, command, code) => {
    await expectAnswer(argsOf(command as BudgetCommand, join(PT, file)), code, join(PT, file));
  });

  it('item 2: explain --mode lstm --hidden-size 100000 --num-layers 1000 → E_LIMIT', async () => {
    const r = await expectAnswer(['explain', '--mode', 'lstm', '--hidden-size', '100000', '--num-layers', '1000'], 'E_LIMIT');
    expect(r.stderr).toMatch(/explain weights and activations: expected at most \d+ numbers/);
  });

  it("item 2: explain({ mode: 'GRU', hiddenSize: 1e6 }) in the API → E_LIMIT, not a RangeError", async () => {
    const r = await measuredScript("rnnport.explain({ mode: 'GRU', hiddenSize: 1e6 })");
    expect(r.stdout.trim()).toBe('E_LIMIT');
    expect(r.ms).toBeLessThan(TIME_CEILING_MS);
    expect(r.peakRss).toBeLessThanOrEqual(rssBudget(baseline.explain, 0));
  });

  it('item 10: a checkpoint with a device, complex numbers and tensors, a sparse and a quantized tensor beside the weights runs', async () => {
    const file = join(FIXTURES, 'extras_t213.pt');
    await expectAnswer(['run', file, '--input', x(3), '--out', join(tmp, 'extras')], null, file);
  });

  it('item 10: model and ema: inspect lists both with their --key paths and modules; run asks for --key; --key ema runs', async () => {
    const file = join(FIXTURES, 'model_ema_t213.pt');
    const r = await expectAnswer(['inspect', file], null, file);
    expect(r.stdout).toMatch(/^ {2}model\s+rnn?\S*\s*\(root\)\s+nn\.GRU\(3, 2\)|model\s+\(root\)\s+nn\.GRU\(3, 2\)/m);
    expect(r.stdout).toMatch(/ema\s+\(root\)\s+nn\.GRU\(3, 2\)/);
    const json = JSON.parse((await expectAnswer(['inspect', file, '--json'], null, file)).stdout) as { stateDicts: { key: string; modules: { pytorch: string }[] }[]; key: string | null };
    expect(json.key).toBeNull();
    expect(json.stateDicts.map((d) => [d.key, d.modules.map((m) => m.pytorch)])).toEqual([
      ['model', ['nn.GRU(3, 2)']],
      ['ema', ['nn.GRU(3, 2)']],
    ]);
    await expectAnswer(['run', file, '--input', x(3), '--out', join(tmp, 'ema')], 'E_AMBIGUOUS_MODULE', file);
    await expectAnswer(['run', file, '--key', 'ema', '--input', x(3), '--out', join(tmp, 'ema')], null, file);
  });
});

describe('reproducers made at test time', () => {
  for (const c of largeCases()) {
    it(`item ${c.item}: ${c.command} ${c.file} → ${c.code} (${c.why})`, async () => {
      const file = join(tmp, c.file);
      writeFileSync(file, c.build());
      try {
        await expectAnswer(argsOf(c.command, file), c.code, file, c.tensors);
      } finally {
        rmSync(file, { force: true });
      }
    }, 60_000);
  }

  describe.concurrent('item 6: only regular files are read', () => {
    let dir: string;
    beforeAll(() => {
      dir = join(tmp, 'special');
      mkdirSync(dir);
      writeFileSync(join(dir, 'outside.npy'), saveNpy(tensor([1, 2], [2])));
      for (const d of ['fifo', 'passwd', 'outside', 'subdir', 'escape']) {
        mkdirSync(join(dir, d));
        writeFileSync(join(dir, d, 'weight_hh_l0.npy'), saveNpy(tensor(new Float32Array(12), [6, 2])));
      }
      execFileSync('mkfifo', [join(dir, 'fifo', 'weight_ih_l0.npy')]);
      execFileSync('mkfifo', [join(dir, 'input.npy')]);
      symlinkSync('/etc/passwd', join(dir, 'passwd', 'weight_ih_l0.npy'));
      symlinkSync(join(dir, 'outside.npy'), join(dir, 'outside', 'weight_ih_l0.npy'));
      mkdirSync(join(dir, 'subdir', 'weight_ih_l0.npy'));
      writeFileSync(join(dir, 'escape', '\u001b[2Jx\nmodules.npy'), saveNpy(tensor([1], [1])));
    });

    it.each([
      ['a FIFO inside an npy directory', ['inspect', 'fifo']],
      ['a symbolic link to /etc/passwd inside an npy directory', ['inspect', 'passwd']],
      ['a symbolic link to a file outside the npy directory', ['inspect', 'outside']],
      ['a directory named like an .npy file', ['inspect', 'subdir']],
      ['--input naming a FIFO', ['run', golden('gru_l1', 'weights.safetensors'), '--input', 'input.npy', '--out', 'o']],
      ['--input /dev/zero', ['run', golden('gru_l1', 'weights.safetensors'), '--input', '/dev/zero', '--out', 'o']],
      ['weights /dev/zero', ['inspect', '/dev/zero']],
    ])('%s → E_IO', async (_, args) => {
      const r = await expectAnswer(args.map((a) => (['fifo', 'passwd', 'outside', 'subdir', 'input.npy', 'o'].includes(a) ? join(dir, a) : a)), 'E_IO');
      expect(r.stderr).not.toMatch(/root:|72 6f 6f 74/); // no byte of /etc/passwd
    });

    it('a file name with control characters in an npy directory is printed escaped', async () => {
      const r = await expectAnswer(['inspect', join(dir, 'escape')], null);
      expect(r.stdout).toContain('\\x1b[2Jx\\nmodules');
    });
  });
});
