// The public surface, as users get it: the BUILT entry points (dist/, what `npm pack` ships) and
// the packed file list. Adding or removing an export is a semver decision: update the snapshot
// here on purpose (docs/internals.md, "Entry points").
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function exportsOf(entry: string): Promise<string[]> {
  const mod = (await import(join(root, 'dist', entry))) as Record<string, unknown>;
  return Object.keys(mod).sort();
}

describe('public exports of the built package', () => {
  it('rnnport exports exactly the documented API', async () => {
    expect(await exportsOf('index.js')).toEqual([
      'CASE_METADATA_KEY',
      'DEFAULT_LIMITS',
      'Embedding',
      'GOLDEN_FORMATS',
      'GRU',
      'GRUCell',
      'LSTM',
      'LSTMCell',
      'LayerNorm',
      'Linear',
      'PackedSequence',
      'RNN',
      'RNNBase',
      'RNNCell',
      'RNNCellBase',
      'RNNPORT_ERROR_CODES',
      'RecurrentStream',
      'RnnportError',
      'Tensor',
      'bytesSource',
      'checkImplementation',
      'compareTensors',
      'defaultTolerance',
      'explain',
      'explainSvg',
      'expressGolden',
      'fromStateDict',
      'initFastEngine',
      'isRnnportError',
      'listLayers',
      'listModules',
      'loadCase',
      'loadStateDict',
      'loadStateDictSync',
      'openWeights',
      'packPaddedSequence',
      'packSequence',
      'padPackedSequence',
      'padSequence',
      'parseNpy',
      'parseSafetensors',
      'rnnportImplementation',
      'runCase',
      'runGoldenSpec',
      'runModule',
      'saveCase',
      'saveNpy',
      'saveNpz',
      'saveSafetensors',
      'tensor',
      'unsupported',
    ]);
  });

  it('rnnport/node adds the file-path helpers', async () => {
    expect(await exportsOf('node.js')).toEqual(['fileSource', 'openStateDict', 'readNpyFile', 'writeNpyFile']);
  });

  it('rnnport/testing adds the property-based checks of a port', async () => {
    expect(await exportsOf('testing.js')).toEqual([
      'caseArb',
      'caseConfigArb',
      'checkAgainstReference',
      'checkImplementation',
      'describeConfig',
      'expectClose',
      'requestOf',
      'rnnportImplementation',
      'stateDictArb',
      'unsupported',
    ]);
  });

  it('rnnport/safetensors is the safetensors loader alone', async () => {
    expect(await exportsOf('safetensors.js')).toEqual([
      'DEFAULT_LIMITS',
      'RNNPORT_ERROR_CODES',
      'RnnportError',
      'Tensor',
      'isRnnportError',
      'parseSafetensors',
      'saveSafetensors',
      'tensor',
    ]);
  });

  it('every error code of the contract is exported, each once', async () => {
    const { RNNPORT_ERROR_CODES } = (await import(join(root, 'dist', 'index.js'))) as { RNNPORT_ERROR_CODES: readonly string[] };
    expect(new Set(RNNPORT_ERROR_CODES).size).toBe(RNNPORT_ERROR_CODES.length);
    for (const code of ['E_TRUNCATED', 'E_PICKLE_GLOBAL', 'E_AMBIGUOUS_MODULE', 'E_USAGE', 'E_INTERNAL']) {
      expect(RNNPORT_ERROR_CODES).toContain(code);
    }
  });
});

describe('the CLI entry', () => {
  it('is executable after the build, so `npx rnnport` works in a clone', () => {
    expect(statSync(join(root, 'dist', 'cli', 'bin.js')).mode & 0o111).toBe(0o111);
  });
});

describe('npm pack', () => {
  const pack = (): { files: { path: string }[]; size: number; unpackedSize: number } => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const [p] = JSON.parse(out) as { files: { path: string }[]; size: number; unpackedSize: number }[];
    if (p === undefined) throw new Error('npm pack printed no package');
    return p;
  };

  it('ships dist with declarations, the CLI and the golden archive: at most 300 files and 3 MB unpacked', () => {
    const p = pack();
    const files = new Set(p.files.map((f) => f.path));
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/safetensors.js', 'dist/cli/bin.js', 'dist/golden/golden.zip', 'dist/golden/MANIFEST.json', 'README.md', 'LICENSE', 'package.json']) {
      expect(files.has(f), f).toBe(true);
    }
    // no sources, tests, tooling, build info, source maps pointing at unshipped sources, or loose golden files
    expect([...files].filter((f) => /^(src|test|scripts|bench|golden|examples)\//.test(f) || f.endsWith('.map') || f.includes('tsbuildinfo') || f.endsWith('.wasm'))).toEqual([]);
    expect(files.size).toBeLessThanOrEqual(300);
    expect(p.unpackedSize).toBeLessThanOrEqual(3 * 1024 * 1024);
  });

  it('has no prepare script (npm 11 warns on install): the build runs in prepack', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['prepare']).toBeUndefined();
    expect(pkg.scripts['prepack']).toContain('build');
  });
});
