// Bundles the built package's entry points with esbuild for browsers (minified ESM) and reports
// their sizes, minified and gzipped. Proves two things a page relies on:
//   - no entry needs a Node built-in (platform 'browser' cannot resolve `node:*`);
//   - importing only the safetensors loader brings no pickle reader, zip/inflate code or engine;
//   - importing explain (or the loaders) alone brings no WebAssembly engine.
// Usage: node scripts/bundle_check.mjs [--json | --markdown]   (after `npm run build`; exit 1 if a
// check fails). --markdown prints the size table of README.md's "In the browser".
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Modules a safetensors-only page must not contain (paths as esbuild's metafile names inputs). */
const NOT_FOR_SAFETENSORS = [/^dist\/io\/pickle\//, /^dist\/io\/(torch|zip|npz)\.js$/, /^dist\/(engine|fast|modules|explain)\//, /node_modules\/fflate\//];

/** The ONNX exporter and its protobuf library live behind rnnport/onnx only. */
const NOT_FOR_CORE = [/^dist\/onnx/, /node_modules\/@bufbuild\//];

/** What a page imports, as the source of a one-line entry module, and what it must leave out. */
export const ENTRIES = [
  { name: "everything (`import * from 'rnnport'`)", source: "export * from './dist/index.js';", exclude: NOT_FOR_CORE },
  { name: '`{ loadStateDict, fromStateDict }`', source: "export { loadStateDict, fromStateDict } from './dist/index.js';" },
  { name: '`{ explain, explainSvg }`', source: "export { explain, explainSvg } from './dist/index.js';", exclude: [/^dist\/(io|fast)\//] },
  { name: '`{ loadStateDict }` (every format)', source: "export { loadStateDict } from './dist/index.js';", exclude: [/^dist\/(engine|fast|modules|explain)\//] },
  { name: '`rnnport/safetensors`', source: "export * from './dist/safetensors.js';", exclude: NOT_FOR_SAFETENSORS },
  { name: '`{ parseSafetensors }` from `rnnport`', source: "export { parseSafetensors } from './dist/index.js';", exclude: NOT_FOR_SAFETENSORS },
  { name: '`rnnport/onnx` (`toOnnx`, `onnxModule`)', source: "export * from './dist/onnx.js';" },
];

/** Sizes as README.md writes them. */
export const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * Bundles every entry; resolves to one record per entry: the bundle's code, its sizes in bytes,
 * the modules in it and those that should not be there (`unwanted`, empty when the check passes).
 */
export async function checkBundles() {
  const results = [];
  for (const entry of ENTRIES) {
    const out = await build({
      stdin: { contents: entry.source, resolveDir: ROOT, sourcefile: 'entry.js', loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0].contents;
    // Modules with code in the bundle (the metafile's `inputs` also lists those tree-shaken away).
    const [output] = Object.values(out.metafile.outputs);
    const inputs = Object.entries(output.inputs)
      .filter(([path, use]) => path !== 'entry.js' && use.bytesInOutput > 0)
      .map(([path]) => path);
    results.push({
      name: entry.name,
      code: out.outputFiles[0].text,
      minified: code.length,
      gzipped: gzipSync(code, { level: 9 }).length,
      inputs,
      unwanted: inputs.filter((path) => (entry.exclude ?? []).some((pattern) => pattern.test(path))),
    });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await checkBundles();
  if (process.argv.includes('--json')) {
    const bundles = results.map(({ code: _, ...sizes }) => sizes);
    console.log(JSON.stringify({ schema: 1, esbuild: (await import('esbuild')).version, bundles }, null, 2));
  } else if (process.argv.includes('--markdown')) {
    console.log('| what a page imports | minified | gzipped |\n|---|---:|---:|');
    for (const r of results) console.log(`| ${r.name} | ${kib(r.minified)} | ${kib(r.gzipped)} |`);
  } else {
    console.log(`${'what a page imports'.padEnd(42)}${'minified'.padStart(10)}${'gzipped'.padStart(10)}  modules`);
    for (const r of results) console.log(`${r.name.padEnd(42)}${kib(r.minified).padStart(10)}${kib(r.gzipped).padStart(10)}  ${r.inputs.length}`);
  }
  const failed = results.filter((r) => r.unwanted.length > 0);
  for (const r of failed) console.error(`bundle_check: ${r.name} pulls in ${r.unwanted.join(', ')}`);
  process.exit(failed.length > 0 ? 1 : 0);
}
