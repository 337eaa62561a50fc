// Exports every model of scripts/onnx_checker_cases.mjs with the built toOnnx, runs ONNX's own
// checker on each (scripts/check_onnx.py: onnx.checker.check_model(full_check=True), which
// includes strict shape inference) and writes test/fixtures/onnx/checker.json: the onnx version,
// and per model the sha256 of its bytes and the checker's verdict. npm test then needs no Python:
// test/unit/onnx/ re-exports each model and requires the same bytes and a passing verdict.
// Usage (after npm run build): node scripts/make_onnx_checker_fixture.mjs [PYTHON]
//   PYTHON: a Python with the onnx package (default: .venv-torch/bin/python, the goldens' venv, which has it).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toOnnx } from '../dist/onnx.js';
import * as random from '../dist/random.js';
import { CHECKER_CASES, checkerStateDict } from './onnx_checker_cases.mjs';

const root = join(import.meta.dirname, '..');
const python = process.argv[2] ?? join(root, '.venv-torch/bin/python');
const dir = mkdtempSync(join(tmpdir(), 'rnnport-onnx-check-'));
try {
  const models = CHECKER_CASES.map((c) => {
    const { sd, choice } = checkerStateDict(c.config, random);
    const bytes = toOnnx(sd, { ...choice, ...c.options });
    writeFileSync(join(dir, `${c.name}.onnx`), bytes);
    return { name: c.name, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  const verdicts = JSON.parse(execFileSync(python, [join(root, 'scripts/check_onnx.py'), dir], { encoding: 'utf8' }));
  const fixture = {
    schema: 1,
    checker: 'onnx.checker.check_model(model, full_check=True)',
    onnx: verdicts.onnx,
    cases: models.map((m) => ({ ...m, ...verdicts.models[m.name] })),
  };
  writeFileSync(join(root, 'test/fixtures/onnx/checker.json'), JSON.stringify(fixture, null, 1) + '\n');
  const failed = fixture.cases.filter((c) => !c.ok);
  console.error(`checked ${fixture.cases.length} models with onnx ${verdicts.onnx}: ${failed.length} failed${failed.map((f) => `\n  ${f.name}: ${f.error}`).join('')}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
