// The public surface, as users get it: the BUILT entry points (dist/, what `npm pack` ships) and
// the packed file list. Adding or removing an export is a semver decision: update the snapshot
// here on purpose (docs/internals.md, "Entry points").
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
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
      'compareTensors',
      'defaultTolerance',
      'explain',
      'explainSvg',
      'fromStateDict',
      'initFastEngine',
      'isRnnportError',
      'listLayers',
      'listModules',
      'loadStateDict',
      'loadStateDictSync',
      'openWeights',
      'packPaddedSequence',
      'packSequence',
      'padPackedSequence',
      'padSequence',
      'parseNpy',
      'parseSafetensors',
      'runGoldenSpec',
      'runModule',
      'saveNpy',
      'saveNpz',
      'saveSafetensors',
      'tensor',
    ]);
  });

  it('rnnport/node adds the file-path helpers', async () => {
    expect(await exportsOf('node.js')).toEqual(['fileSource', 'openStateDict', 'readNpyFile', 'writeNpyFile']);
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
  it('ships dist (with both WASM builds and declarations), the CLI and golden/, and no tests or sources of tooling', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const [pack] = JSON.parse(out) as { files: { path: string }[]; size: number }[];
    if (pack === undefined) throw new Error('npm pack printed no package');
    const files = new Set(pack.files.map((f) => f.path));
    for (const f of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/node.js',
      'dist/safetensors.js',
      'dist/cli/bin.js',
      'dist/fast/kernels-plain.wasm',
      'dist/fast/kernels-relaxed.wasm',
      'golden/MANIFEST.json',
      'README.md',
    ]) {
      expect(files.has(f), f).toBe(true);
    }
    expect([...files].filter((f) => f.startsWith('test/') || f.startsWith('scripts/') || f.startsWith('bench/'))).toEqual([]);
    expect(pack.size).toBeLessThan(15 * 1024 * 1024); // CONTRACTS.md: golden/ ships, at most 15 MB packed
  });
});
