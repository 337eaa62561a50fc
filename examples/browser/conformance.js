// The golden cases (golden/, written by PyTorch) run in this browser: `rnnport conformance` as a
// page. Each case is fetched over HTTP, loaded with loadStateDict(Response), fed to the module
// as its case.json recipe says, and every expected tensor is compared with the case's tolerance.
// Query: ?cases=a,b&formats=safetensors,npz,pt&engines=reference,fast (default: every case, all
// three formats, both engines; `fast:plain` / `fast:relaxed` pick the kernel build). Results land
// in the table and in globalThis.rnnportConformance.
import { GOLDEN_FORMATS, loadStateDict, runGoldenSpec } from 'rnnport';

const GOLDEN = new URL('../../golden/', import.meta.url);
/** Formats a page can fetch as one file (a directory of .npy files cannot be listed over HTTP). */
const FORMATS = GOLDEN_FORMATS.filter((f) => f !== 'npy');
const ENGINES = ['reference', 'fast'];

const fetchCase = (caseName, file) => fetch(new URL(`${caseName}/${file}`, GOLDEN));

/** A case's files over HTTP, for the runner every conformance check shares (runGoldenSpec). */
function caseFiles(spec) {
  return {
    stateDict: async (format) => loadStateDict(await fetchCase(spec.name, spec.weights[format]), format === 'pt' && spec.pt_key !== null ? { key: spec.pt_key } : {}),
    tensor: async (file) => [...(await loadStateDict(await fetchCase(spec.name, file))).values()][0],
  };
}

/** Runs one case with one weights format and engine; resolves to a plain, serialisable record. */
async function runCase(spec, format, engineChoice) {
  const [engine, simd = 'auto'] = engineChoice.split(':');
  const r = await runGoldenSpec(spec, caseFiles(spec), format, { engine, simd });
  const tensors = r.tensors.map((t) => ({ name: t.tensor, ok: t.result.ok, maxAbs: t.result.maxAbs, ...(t.result.worst !== undefined && { worst: t.result.worst }) }));
  return { case: spec.name, format, engine: engineChoice, ran: r.engine, module: r.module, covers: spec.covers, dtype: spec.dtype, ok: r.ok, maxAbs: r.maxAbs, tensors, configMismatches: r.configMismatches };
}

function listParam(params, name, all) {
  const value = params.get(name);
  return value === null || value === '' ? all : value.split(',');
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className !== undefined) td.className = className;
}

/** Runs the selected cases one after another, filling the table as results come. */
async function main() {
  const params = new URLSearchParams(location.search);
  const manifest = await (await fetch(new URL('MANIFEST.json', GOLDEN))).json();
  const cases = listParam(params, 'cases', manifest.cases.map((c) => c.name));
  const formats = listParam(params, 'formats', FORMATS);
  const engines = listParam(params, 'engines', ENGINES);
  const state = { done: false, results: [] };
  globalThis.rnnportConformance = state;
  const body = document.querySelector('#results tbody');
  const summary = document.querySelector('#summary');
  const specs = await Promise.all(cases.map(async (name) => (await fetchCase(name, 'case.json')).json()));
  // the runs this page will make: each case in the formats it ships, on each engine
  const runs = specs.flatMap((spec) => formats.filter((f) => spec.weights[f] !== undefined).flatMap((format) => engines.map((engine) => [spec, format, engine])));
  const total = runs.length;
  for (const [spec, format, engine] of runs) {
    let r;
    try {
      r = await runCase(spec, format, engine);
    } catch (e) {
      r = { case: spec.name, format, engine, ok: false, error: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? String(e)}` };
    }
    state.results.push(r);
    const row = body.insertRow();
    if (r.covers !== undefined) row.title = r.covers;
    cell(row, r.case);
    cell(row, r.format);
    cell(row, r.ran === undefined || r.ran === r.engine.split(':')[0] ? r.engine : `${r.ran} (float64)`);
    cell(row, r.error ?? r.maxAbs.toExponential(1), 'num');
    cell(row, r.ok ? 'pass' : 'FAIL', r.ok ? 'pass' : 'fail');
    const failed = state.results.filter((x) => x.ok === false).length;
    summary.textContent = `${state.results.length} / ${total} runs, ${failed} failed`;
  }
  const ran = state.results;
  const failed = ran.filter((r) => !r.ok).length;
  summary.textContent = `${ran.length} runs of ${cases.length} case(s): ${failed === 0 ? 'all match PyTorch' : `${failed} failed`}`;
  summary.className = failed === 0 ? 'pass' : 'fail';
  state.done = true;
}

await main();
