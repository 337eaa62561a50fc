import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, helpText, parseCommand, type Command, type Parsed } from '../../../src/cli/parse.js';

function command(argv: string[]): Command {
  const parsed = parseCommand(argv);
  if (parsed.kind !== 'command') throw new Error(`expected a command, got ${parsed.kind}`);
  return parsed.command;
}

function usageError(argv: string[]): Extract<Parsed, { kind: 'usage-error' }> {
  const parsed = parseCommand(argv);
  if (parsed.kind !== 'usage-error') throw new Error(`expected a usage error, got ${parsed.kind}`);
  return parsed;
}

describe('parseCommand: run (the external contract)', () => {
  it('reads every flag of run into the typed command', () => {
    const argv = ['run', 'w.safetensors', '--input', 'x.npy', '--out', 'o', '--h0', 'h.npy', '--c0', 'c.npy', '--lengths', 'l.npy', '--batch-first', '--nonlinearity', 'relu', '--prefix', 'encoder.rnn', '--dtype', 'float64'];
    expect(command(argv)).toEqual({
      name: 'run',
      weights: 'w.safetensors',
      key: undefined,
      prefix: 'encoder.rnn',
      input: 'x.npy',
      h0: 'h.npy',
      c0: 'c.npy',
      lengths: { file: 'l.npy' },
      batchFirst: true,
      nonlinearity: 'relu',
      dtype: 'float64',
      engine: 'auto',
      simd: 'auto',
      out: 'o',
    });
  });

  it('defaults: no state, time-major, engine and simd auto', () => {
    const c = command(['run', 'w.npz', '--input', 'x.npy', '--out', 'o']);
    expect(c).toMatchObject({ h0: undefined, c0: undefined, lengths: undefined, batchFirst: false, nonlinearity: undefined, dtype: undefined, engine: 'auto', simd: 'auto' });
  });

  it('keeps an empty prefix (the root module) distinct from no prefix', () => {
    expect(command(['run', 'w', '--input', 'x', '--out', 'o', '--prefix', ''])).toMatchObject({ prefix: '' });
  });

  it.each([
    [['run', 'w', '--out', 'o'], '--input'],
    [['run', 'w', '--input', 'x'], '--out'],
    [['run', '--input', 'x', '--out', 'o'], 'WEIGHTS'],
    [['run', 'a', 'b', '--input', 'x', '--out', 'o'], 'arguments'],
    [['run', 'w', '--input', 'x', '--out', 'o', '--nonlinearity', 'sigmoid'], '--nonlinearity'],
    [['run', 'w', '--input', 'x', '--out', 'o', '--dtype', 'float16'], '--dtype'],
    [['run', 'w', '--input', 'x', '--out', 'o', '--engine', 'gpu'], '--engine'],
    [['run', 'w', '--input', 'x', '--out', 'o', '--simd', 'avx'], '--simd'],
  ])('%j is a usage error about %s', (argv, what) => {
    const e = usageError(argv);
    expect(e.error.code).toBe('E_USAGE');
    expect(e.error.detail.what).toBe(what);
    expect(e.usage).toMatch(/^usage: rnnport run /);
  });

  it('an unknown flag or a flag without its value is a usage error', () => {
    expect(usageError(['run', 'w', '--input', 'x', '--out', 'o', '--bogus']).error.code).toBe('E_USAGE');
    expect(usageError(['run', 'w', '--out', 'o', '--input']).error.code).toBe('E_USAGE');
  });
});

describe('parseCommand: verify, bench, inspect, conformance', () => {
  it('verify takes run options, expected files and tolerances', () => {
    const c = command(['verify', 'w.pt', '--key', 'model', '--input', 'x', '--expected-output', 'o.npy', '--expected-h-n', 'h.npy', '--expected-c-n', 'c.npy', '--atol', '1e-6', '--rtol', '0']);
    expect(c).toMatchObject({ name: 'verify', key: 'model', expectedOutput: 'o.npy', expectedHN: 'h.npy', expectedCN: 'c.npy', atol: 1e-6, rtol: 0 });
  });

  it.each([['-1'], ['abc'], [''], ['Infinity']])('verify --atol=%j is a usage error', (value) => {
    expect(usageError(['verify', 'w', '--input', 'x', '--expected-output', 'o', `--atol=${value}`]).error.detail.what).toBe('--atol');
  });

  it('verify requires --expected-output', () => {
    expect(usageError(['verify', 'w', '--input', 'x']).error.detail.what).toBe('--expected-output');
  });

  it('bench: warmup, repeat, stream, json, engine and simd', () => {
    const c = command(['bench', 'w', '--input', 'x', '--warmup', '0', '--repeat', '7', '--stream', '--json', '--engine', 'reference', '--simd', 'plain']);
    expect(c).toMatchObject({ name: 'bench', warmup: 0, repeat: 7, stream: true, json: true, engine: 'reference', simd: 'plain' });
    expect(command(['bench', 'w', '--input', 'x'])).toMatchObject({ warmup: 3, repeat: 10, stream: false, json: false });
  });

  it.each([['0'], ['1.5'], ['1e3'], ['-2'], ['0x10']])('bench --repeat=%j is a usage error', (value) => {
    expect(usageError(['bench', 'w', '--input', 'x', `--repeat=${value}`]).error.detail.what).toBe('--repeat');
  });

  it('inspect takes WEIGHTS, --key and --json; no run flags', () => {
    expect(command(['inspect', 'm.pt', '--key', 'ema.model', '--json'])).toEqual({ name: 'inspect', weights: 'm.pt', key: 'ema.model', json: true });
    expect(usageError(['inspect', 'm.pt', '--input', 'x']).error.code).toBe('E_USAGE');
  });

  it('conformance takes no positional argument', () => {
    expect(command(['conformance', '--golden', 'g', '--filter', 'lstm', '--json', 'r.json'])).toEqual({
      name: 'conformance',
      golden: 'g',
      filter: 'lstm',
      json: 'r.json',
      engine: 'auto',
      simd: 'auto',
    });
    expect(usageError(['conformance', 'extra']).error.code).toBe('E_USAGE');
  });
});

describe('parseCommand: explain', () => {
  it('from a config', () => {
    const c = command(['explain', '--mode', 'lstm', '--hidden-size', '8', '--num-layers', '2', '--bidirectional', '--proj-size', '4', '--seq-len', '6', '--lengths', '5,3, 2', '--svg', 'a.svg']);
    expect(c).toEqual({
      name: 'explain',
      source: { kind: 'config', config: { mode: 'LSTM', hiddenSize: 8, numLayers: 2, bidirectional: true, projSize: 4 } },
      seqLen: 6,
      batch: undefined,
      lengths: { list: [5, 3, 2] },
      batchFirst: false,
      svg: 'a.svg',
      json: false,
    });
  });

  it('from weights', () => {
    expect(command(['explain', 'w.safetensors', '--prefix', 'enc', '--batch', '3'])).toMatchObject({
      source: { kind: 'weights', weights: 'w.safetensors', key: undefined, prefix: 'enc' },
      batch: 3,
    });
  });

  it.each([
    [['explain', '--mode', 'gru'], '--hidden-size'],
    [['explain', '--hidden-size', '4'], '--hidden-size'],
    [['explain', 'w', '--mode', 'gru', '--hidden-size', '4'], 'arguments'],
    [['explain', '--mode', 'gru', '--hidden-size', '4', '--prefix', 'a'], '--key / --prefix'],
    [['explain', '--mode', 'gru', '--hidden-size', '4', '--lengths', '3,0'], '--lengths'],
    [['explain', '--mode', 'gru', '--hidden-size', '4', '--lengths', '3,,2'], '--lengths'],
    [['explain', '--mode', 'transformer', '--hidden-size', '4'], '--mode'],
    [['explain'], 'WEIGHTS'],
  ])('%j is a usage error about %s', (argv, what) => {
    expect(usageError(argv).error.detail.what).toBe(what);
  });
});

describe('parseCommand: global', () => {
  it('--version, --help, no arguments', () => {
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommand(['--help'])).toEqual({ kind: 'help', text: helpText() });
    // no command: the usage line naming every command, and E_USAGE (exit 2)
    const none = usageError([]);
    expect(none.usage).toMatch(/^usage: rnnport <conformance\|inspect\|run\|verify\|bench\|export\|explain>/);
    expect(none.error.detail).toEqual({ what: 'command', expected: `one of ${COMMAND_NAMES.join(', ')}`, got: 'none (missing command)' });
  });

  it.each([
    [['run', 'w', '--input', 'x', '--out', 'o', '--frobnicate'], { what: '--frobnicate', expected: 'a flag of run (rnnport run --help)', got: 'an unknown flag' }],
    [['verify', 'w', '--input', 'x', '--expected-output', 'e', '--atol', '-1'], { what: '--atol', expected: "a value (write --atol=-1 for a value that starts with '-')", got: 'a value starting with -' }],
    [['run', 'w', '--input'], { what: '--input', expected: 'a value', got: 'none' }],
    [['conformance', 'stray'], { what: 'arguments', expected: '0 positional argument(s)', got: '"stray"' }],
  ])('%j: a one-line usage error of rnnport\'s own', (argv, detail) => {
    const e = usageError(argv);
    expect(e.error.detail).toEqual(detail);
    expect(e.error.message).not.toContain('\n');
    expect(e.usage).not.toContain('\n');
  });

  it('--lengths is a list or a .npy path in every command that has it', () => {
    for (const argv of [['run', 'w', '--input', 'x', '--out', 'o'], ['verify', 'w', '--input', 'x', '--expected-output', 'e'], ['bench', 'w', '--input', 'x'], ['explain', 'w']]) {
      expect(command([...argv, '--lengths', '5, 3,2'])).toMatchObject({ lengths: { list: [5, 3, 2] } });
      expect(command([...argv, '--lengths', 'lengths.npy'])).toMatchObject({ lengths: { file: 'lengths.npy' } });
      expect(usageError([...argv, '--lengths', '5,0']).error.detail.what).toBe('--lengths');
    }
  });

  it.each(COMMAND_NAMES)('%s --help prints usage and an example', (name) => {
    const parsed = parseCommand([name, '--help']);
    expect(parsed.kind).toBe('help');
    if (parsed.kind === 'help') {
      expect(parsed.text).toContain(`usage: rnnport ${name}`);
      expect(parsed.text).toContain('Example:');
    }
  });

  it('--debug is accepted anywhere and reported', () => {
    const parsed = parseCommand(['inspect', '--debug', 'w']);
    expect(parsed).toMatchObject({ kind: 'command', debug: true });
    expect(usageError(['inspect', '--debug']).debug).toBe(true);
  });

  it('an unknown command is a usage error with the general usage line', () => {
    const e = usageError(['frobnicate']);
    expect(e.error.code).toBe('E_USAGE');
    expect(e.usage).toMatch(/^usage: rnnport </);
  });
});
