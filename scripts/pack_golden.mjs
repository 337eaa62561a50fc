// golden/ as the npm package ships it: one zip, dist/golden/golden.zip, holding one member per
// case (`<case>.zip`, deflated) that is itself a stored zip of the case folder's original bytes,
// plus dist/golden/MANIFEST.json. Compressing each case as a whole (its weights in four formats
// share most bytes) keeps the package small: 4.0 MB of golden files in 1.7 MB and 2 files instead
// of 3,779. `rnnport conformance` reads it lazily: a case is inflated when it runs.
// Run by `npm run build`; byte-reproducible (fixed timestamps, sorted names).
// Usage: node scripts/pack_golden.mjs [GOLDEN_DIR] [OUT_DIR]
import { zipSync } from 'fflate';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MTIME = new Date('1980-01-01T00:00:00');

/** Every file under `dir`, as paths relative to it with '/' separators, sorted. */
function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

export function packGolden(goldenDir = join(ROOT, 'golden'), outDir = join(ROOT, 'dist', 'golden')) {
  const cases = {};
  for (const name of readdirSync(goldenDir).sort()) {
    const dir = join(goldenDir, name);
    if (!statSync(dir).isDirectory()) continue;
    const members = Object.fromEntries(filesUnder(dir).map((file) => [file, [readFileSync(join(dir, file)), { level: 0 }]]));
    cases[`${name}.zip`] = [zipSync(members, { mtime: MTIME }), { level: 9 }];
  }
  mkdirSync(outDir, { recursive: true });
  const archive = zipSync(cases, { mtime: MTIME });
  writeFileSync(join(outDir, 'golden.zip'), archive);
  copyFileSync(join(goldenDir, 'MANIFEST.json'), join(outDir, 'MANIFEST.json'));
  return { cases: Object.keys(cases).length, bytes: archive.byteLength };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { cases, bytes } = packGolden(process.argv[2], process.argv[3]);
  console.log(`pack_golden: ${cases} cases, ${(bytes / 1024 / 1024).toFixed(2)} MiB`);
}
