// The golden cases (golden/, written by PyTorch) run in this browser: `rnnport conformance` as a
// page. Each case is fetched over HTTP, loaded with loadStateDict(Response), fed to the module
// as its case.json recipe says, and every expected tensor is compared with the case's tolerance.
// Query: ?cases=a,b&formats=safetensors,npz,pt&engines=reference,fast (default: every case, all
// three formats, both engines; `fast:plain` / `fast:relaxed` pick the kernel build). Results land
// in the table and in globalThis.rnnportConformance.
import {
  compareTensors,
  fromStateDict,
  GRU,
  GRUCell,
  LSTM,
  LSTMCell,
  loadStateDict,
  PackedSequence,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  RNN,
  RNNCell,
  tensor,
} from 'rnnport';

const GOLDEN = new URL('../../golden/', import.meta.url);
/** Formats a page can fetch as one file (a directory of .npy files cannot be listed over HTTP). */
const FORMATS = ['safetensors', 'npz', 'pt'];
const ENGINES = ['reference', 'fast'];
const CLASSES = { RNN, GRU, LSTM, RNNCell, GRUCell, LSTMCell };

async function fetchTensor(caseName, file) {
  const sd = await loadStateDict(await fetch(new URL(`${caseName}/${file}`, GOLDEN)));
  return [...sd.values()][0];
}

/** Runs one case with one weights format and engine; resolves to a plain, serialisable record. */
async function runCase(caseName, format, engineChoice) {
  const [engine, simd = 'auto'] = engineChoice.split(':');
  const spec = await (await fetch(new URL(`${caseName}/case.json`, GOLDEN))).json();
  const file = spec.weights[format];
  if (file === undefined) return { case: caseName, format, engine: engineChoice, skipped: `no ${format} weights` };
  const sd = await loadStateDict(await fetch(new URL(`${caseName}/${file}`, GOLDEN)), format === 'pt' && spec.pt_key !== null ? { key: spec.pt_key } : {});
  const nonlinearity = spec.options.nonlinearity;
  const module = fromStateDict(sd, {
    prefix: spec.prefix,
    dtype: spec.dtype,
    engine,
    simd,
    ...(spec.module.endsWith('Cell') ? {} : { batchFirst: spec.options.batch_first === true }),
    ...(nonlinearity === 'tanh' || nonlinearity === 'relu' ? { nonlinearity } : {}),
  });
  try {
    const got = await runRecipe(module, spec.input, async (f) => (await fetchTensor(caseName, f)).to(spec.dtype), (f) => fetchTensor(caseName, f));
    const tensors = [];
    for (const [name, npy] of Object.entries(spec.expected)) {
      const actual = got.get(name);
      const expected = await fetchTensor(caseName, npy);
      const r = actual === undefined ? { ok: false, maxAbs: Infinity } : compareTensors(actual, expected, spec);
      tensors.push({ name, ok: r.ok, maxAbs: r.maxAbs, ...(r.worst !== undefined && { worst: r.worst }) });
    }
    const kindOk = module instanceof CLASSES[spec.module];
    return {
      case: caseName,
      format,
      engine: engineChoice,
      ran: module.engine,
      module: spec.module,
      covers: spec.covers,
      dtype: module.dtype,
      ok: kindOk && tensors.every((t) => t.ok),
      maxAbs: Math.max(0, ...tensors.map((t) => t.maxAbs)),
      tensors,
    };
  } finally {
    module.dispose();
  }
}

/** Feeds the module as case.json's `input.kind` says; returns every tensor a case may expect. */
async function runRecipe(module, inp, compute, raw) {
  const got = new Map();
  const h0 = inp.h_0 === null ? undefined : await compute(inp.h_0);
  const c0 = inp.c_0 === null ? undefined : await compute(inp.c_0);
  const batchFirst = inp.batch_first === true;
  const sequences = async () => Promise.all(inp.sequences.map(compute));
  let x;
  if (inp.kind === 'tensor') x = await compute(inp.input);
  else if (inp.kind === 'pack_padded_sequence') x = packPaddedSequence(await compute(inp.input), await raw(inp.lengths), { batchFirst, enforceSorted: inp.enforce_sorted === true });
  else if (inp.kind === 'pack_sequence') x = packSequence(await sequences(), { enforceSorted: inp.enforce_sorted === true });
  else {
    x = padSequence(await sequences(), { batchFirst, paddingValue: inp.padding_value ?? 0 });
    got.set('padded', x);
  }
  if (x instanceof PackedSequence) {
    got.set('packed_data', x.data);
    got.set('batch_sizes', tensor(x.batchSizes, [x.batchSizes.length]));
    if (x.sortedIndices !== null) got.set('sorted_indices', tensor(x.sortedIndices, [x.sortedIndices.length]));
    if (x.unsortedIndices !== null) got.set('unsorted_indices', tensor(x.unsortedIndices, [x.unsortedIndices.length]));
  }
  const hx = module instanceof LSTM || module instanceof LSTMCell ? (h0 !== undefined && c0 !== undefined ? [h0, c0] : undefined) : h0;
  const { output, hN, cN } = module.forward(x, hx);
  if (output instanceof PackedSequence) {
    const [padded] = padPackedSequence(output, { batchFirst, paddingValue: inp.padding_value ?? 0, ...(inp.total_length != null && { totalLength: inp.total_length }) });
    got.set('output', padded);
  } else if (output !== undefined) {
    got.set('output', output);
  }
  got.set('h_n', hN);
  if (cN !== undefined) got.set('c_n', cN);
  return got;
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
  const total = cases.length * formats.length * engines.length;
  for (const name of cases) {
    for (const format of formats) {
      for (const engine of engines) {
        let r;
        try {
          r = await runCase(name, format, engine);
        } catch (e) {
          r = { case: name, format, engine, ok: false, error: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? String(e)}` };
        }
        state.results.push(r);
        if (r.skipped !== undefined) continue;
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
    }
  }
  const ran = state.results.filter((r) => r.skipped === undefined);
  const failed = ran.filter((r) => !r.ok).length;
  summary.textContent = `${ran.length} runs of ${cases.length} case(s): ${failed === 0 ? 'all match PyTorch' : `${failed} failed`}`;
  summary.className = failed === 0 ? 'pass' : 'fail';
  state.done = true;
}

await main();
