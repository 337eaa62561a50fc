// The rnnport demo: a weights file dropped on the page is read here (never uploaded), its tensors
// and recurrent modules are listed as `rnnport inspect` lists them, the chosen module runs on
// random input with both engines, and `explain` draws what output and h_n contain.
import {
  bytesSource,
  explain,
  explainSvg,
  fromStateDict,
  isRnnportError,
  listModules,
  openWeights,
  Tensor,
} from 'rnnport';

const $ = (selector) => document.querySelector(selector);

/** Sample weights from golden/ (written by PyTorch 2.13), for a visitor with no file at hand. */
const SAMPLES = {
  lstm: '../../golden/lstm_proj_bidir_l2_h0/weights.safetensors',
  checkpoint: '../../golden/multi_nested/weights.pt',
  gru: '../../golden/gru_l2_bidir/weights.npz',
};

/** The picture is drawn for this many steps at most, so that it fits the page at full size. */
const PICTURE_STEPS = 6;

/** The page's state: the opened file and the module chosen in it. */
const state = { name: '', bytes: null, stateDict: null, modules: [], selected: 0 };

// ---- formatting ----------------------------------------------------------------------------

const shape = (dims) => `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function ms(t) {
  if (t < 1) return `${(t * 1000).toFixed(0)} µs`;
  return t < 10 ? `${t.toFixed(2)} ms` : `${t.toFixed(0)} ms`;
}

/** `nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3)`, as the CLI prints it. */
function pytorchConstructor(info) {
  const c = info.config;
  const args = [c.inputSize, c.hiddenSize];
  if (c.numLayers !== 1 && !info.kind.endsWith('Cell')) args.push(`num_layers=${c.numLayers}`);
  if (!c.bias) args.push('bias=False');
  if (c.bidirectional) args.push('bidirectional=True');
  if (c.projSize > 0) args.push(`proj_size=${c.projSize}`);
  return `nn.${info.kind}(${args.join(', ')})`;
}

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function setStatus(text, error) {
  const status = $('#status');
  status.className = error === undefined ? '' : 'error';
  status.replaceChildren();
  if (error === undefined) {
    status.textContent = text;
    return;
  }
  const code = isRnnportError(error) ? error.code : error.name;
  status.append(`${text}: `, element('span', { className: 'code', textContent: code }), ` ${error.message}`);
}

// ---- 1. the file -------------------------------------------------------------------------------

/** Opens the bytes (sniffing the format), lists tensors and modules, then runs the first module. */
function open(name, bytes, key) {
  state.name = name;
  state.bytes = bytes;
  const started = performance.now();
  let index;
  try {
    index = openWeights(bytesSource(bytes, name), key === undefined ? {} : { key });
    state.stateDict = index.load();
  } catch (e) {
    $('#report').classList.add('hidden');
    setStatus(`Could not read ${name}`, e);
    showKeyPrompt(isRnnportError(e) && ['E_AMBIGUOUS_MODULE', 'E_KEY_NOT_FOUND'].includes(e.code));
    return;
  }
  showKeyPrompt(false);
  $('#howto').classList.add('hidden');
  const elapsed = performance.now() - started;
  setStatus(`Read ${name} (${formatBytes(bytes.length)}) in ${ms(elapsed)}.`);
  try {
    state.modules = listModules(index.tensors);
  } catch (e) {
    state.modules = [];
    setStatus(`Read ${name}, but the recurrent parameters in it do not form a module`, e);
  }
  state.selected = 0;
  renderFile(index);
  renderModules();
  $('#report').classList.remove('hidden');
  if (state.modules.length > 0) void selectModule(0);
}

function renderFile(index) {
  const total = [...index.tensors.values()].reduce((sum, t) => sum + t.byteLength, 0);
  const facts = [
    ['file', state.name],
    ['format', { safetensors: 'safetensors', npz: 'npz (numpy)', npy: 'npy (numpy)', pt: '.pt (torch.save)' }[index.format] ?? index.format],
    ['tensors', `${index.tensors.size} tensors, ${formatBytes(total)}`],
  ];
  if (index.stateDictKeys !== undefined) {
    const others = index.stateDictKeys.filter((k) => k !== index.key).map((k) => k || '(top level)');
    facts.push(['state_dict', `key "${index.key ?? ''}" of a checkpoint${others.length > 0 ? ` (it also holds ${others.join(', ')})` : ''}`]);
  }
  const metadata = Object.entries(index.metadata);
  if (metadata.length > 0) facts.push(['metadata', metadata.map(([k, v]) => `${k}: ${v}`).join(', ')]);
  $('#file-facts').replaceChildren(...facts.flatMap(([k, v]) => [element('dt', { textContent: k }), element('dd', { textContent: v })]));
  const rows = [...index.tensors].map(([name, t]) => {
    const row = element('tr');
    row.append(element('td', { textContent: name }), element('td', { textContent: t.dtype }), element('td', { textContent: shape(t.shape) }), element('td', { className: 'num', textContent: formatBytes(t.byteLength) }));
    return row;
  });
  $('#tensors tbody').replaceChildren(...rows);
}

function showKeyPrompt(visible) {
  $('#key-form').classList.toggle('hidden', !visible);
}

// ---- 2. the modules ----------------------------------------------------------------------------

function renderModules() {
  const list = $('#modules');
  if (state.modules.length === 0) {
    list.replaceChildren(element('p', { className: 'hint', textContent: 'No recurrent module here: rnnport looks for weight_ih_l0 / weight_hh_l0 (nn.RNN, nn.GRU, nn.LSTM) or weight_ih / weight_hh (the cells).' }));
    return;
  }
  list.replaceChildren(
    ...state.modules.map((info, i) => {
      const radio = element('input', { type: 'radio', name: 'module', checked: i === state.selected });
      const row = element('label', { className: `module${i === state.selected ? ' selected' : ''}` }, radio);
      row.append(element('span', { className: 'prefix', textContent: info.prefix === '' ? '(root)' : info.prefix }), element('span', { className: 'ctor', textContent: pytorchConstructor(info) }), element('span', { className: 'hint', textContent: `${info.parameters.length} parameters` }));
      radio.addEventListener('change', () => void selectModule(i));
      return row;
    }),
  );
}

async function selectModule(i) {
  state.selected = i;
  document.querySelectorAll('.module').forEach((row, j) => row.classList.toggle('selected', j === i));
  const info = state.modules[i];
  $('#nonlinearity-control').classList.toggle('hidden', info.kind !== 'RNN' && info.kind !== 'RNNCell');
  $('#seq-control').classList.toggle('hidden', info.kind.endsWith('Cell'));
  await run();
}

// ---- 3. a forward pass ---------------------------------------------------------------------------

/** Input of the module's dtype, uniform in [−1, 1): (T, B, input_size), or (B, input_size) for a cell. */
function randomInput(module, dims) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = module.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = 2 * Math.random() - 1;
  return new Tensor(module.dtype, dims, data);
}

/**
 * Time per call of `forward`. One warm-up call first (it compiles and tiers up the WebAssembly
 * kernels); then calls in batches growing ×4 until a batch takes 20 ms, so that the browser's
 * coarse clock (0.1 ms) does not matter. A call slower than 200 ms is timed once.
 */
function timeForward(forward) {
  let t0 = performance.now();
  const result = forward();
  const first = performance.now() - t0;
  if (first > 200) return { result, time: first, calls: 1 };
  for (let calls = 1; ; calls *= 4) {
    t0 = performance.now();
    for (let i = 0; i < calls; i++) forward();
    const elapsed = performance.now() - t0;
    if (elapsed >= 20 || calls >= 4096) return { result, time: elapsed / calls, calls };
  }
}

/** Largest |a − b| over output, h_n and c_n (h′, c′ for a cell). */
function maxAbsDiff(a, b) {
  let max = 0;
  for (const name of ['output', 'hN', 'cN']) {
    if (a[name] === undefined) continue;
    const x = a[name].data;
    const y = b[name].data;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  }
  return max;
}

function readInt(selector, min, max) {
  const input = $(selector);
  const value = Math.min(max, Math.max(min, Math.round(Number(input.value)) || min));
  input.value = String(value);
  return value;
}

/** Lets the browser paint (a status line) before a long computation on the main thread. */
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * Runs the selected module on random input with engine 'auto' (the WebAssembly engine wherever
 * the browser has SIMD) and, for comparison, 'reference' on the same input; then draws its picture.
 */
async function run() {
  const info = state.modules[state.selected];
  const cell = info.kind.endsWith('Cell');
  const T = readInt('#seq-len', 1, 10000);
  const B = readInt('#batch', 1, 1024);
  const rnn = info.kind === 'RNN' || info.kind === 'RNNCell';
  const options = { prefix: info.prefix, ...(rnn && { nonlinearity: $('#nonlinearity').value }) };
  const dims = cell ? [B, info.config.inputSize] : [T, B, info.config.inputSize];
  const runs = [];
  let input;
  const status = $('#status').textContent;
  setStatus(`Running ${pytorchConstructor(info)} on input ${shape(dims)}…`);
  await nextFrame();
  try {
    for (const engine of ['auto', 'reference']) {
      const module = fromStateDict(state.stateDict, { ...options, engine });
      try {
        input ??= randomInput(module, dims);
        if (engine === 'auto' || runs[0].engine === 'fast') runs.push({ engine: module.engine, dtype: module.dtype, ...timeForward(() => module.forward(input)) });
      } finally {
        module.dispose();
      }
    }
  } catch (e) {
    setStatus(`Could not run ${pytorchConstructor(info)}`, e);
    return;
  }
  setStatus(status);
  renderRun(info, runs, dims);
  try {
    renderPicture(info, T, B);
  } catch (e) {
    $('#picture').replaceChildren(element('p', { className: 'hint', textContent: `No picture for this configuration: ${e.message}` }));
  }
}

const ENGINE_LABELS = { fast: "WebAssembly SIMD (engine: 'fast')", reference: "plain JavaScript (engine: 'reference')" };

function renderRun(info, runs, dims) {
  const result = runs[0].result;
  const names = info.kind.endsWith('Cell') ? [['h′', result.hN], ['c′', result.cN]] : [['output', result.output], ['h_n', result.hN], ['c_n', result.cN]];
  const facts = [['input', `${shape(dims)} ${runs[0].dtype}, uniform in [−1, 1)`]];
  for (const [name, t] of names) if (t !== undefined) facts.push([name, shape(t.shape)]);
  $('#run-facts').replaceChildren(...facts.flatMap(([k, v]) => [element('dt', { textContent: k }), element('dd', { className: 'mono', textContent: v })]));

  $('#timings tbody').replaceChildren(
    ...runs.map((r) => {
      const row = element('tr');
      row.append(
        element('td', { textContent: ENGINE_LABELS[r.engine] }),
        element('td', { className: 'num timing', textContent: ms(r.time) }),
        element('td', { className: 'hint', textContent: r.calls === 1 ? 'one call' : `per call, over ${r.calls} calls` }),
      );
      return row;
    }),
  );
  if (runs.length === 1) {
    $('#agreement').textContent = 'This browser has no WebAssembly SIMD: the plain JavaScript engine ran.';
  } else {
    const diff = maxAbsDiff(runs[0].result, runs[1].result);
    $('#agreement').textContent = `The two engines agree to ${diff === 0 ? 'the last bit' : `${diff.toExponential(1)} (largest difference in any output)`}.`;
  }
  const h = result.hN;
  const width = h.shape.at(-1);
  const lastRow = h.shape.length === 3 ? (h.shape[0] - 1) * h.shape[1] * width : 0;
  const values = [...h.data.subarray(lastRow, lastRow + Math.min(width, 8))].map((v) => v.toFixed(4));
  $('#values').textContent = `${h.shape.length === 3 ? 'h_n[-1, 0]' : 'h′[0]'} = [${values.join(', ')}${width > 8 ? ', …' : ''}]`;
}

// ---- 4. what output and h_n contain --------------------------------------------------------------

function renderPicture(info, T, B) {
  const picture = $('#picture');
  if (info.kind.endsWith('Cell')) {
    picture.replaceChildren(element('p', { className: 'hint', textContent: `A cell runs one step: h′ (and c′ for an LSTM cell) is (B, hidden_size) = ${shape([B, info.config.hiddenSize])}. The picture is drawn for nn.RNN, nn.GRU and nn.LSTM.` }));
    return;
  }
  const c = info.config;
  const config = { mode: info.kind, inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional, projSize: c.projSize, seqLen: Math.min(T, PICTURE_STEPS), batch: B };
  picture.innerHTML = explainSvg(explain(config));
}

// ---- wiring ------------------------------------------------------------------------------------

async function openFile(file) {
  setStatus(`Reading ${file.name}…`);
  open(file.name, new Uint8Array(await file.arrayBuffer()));
}

async function openSample(url) {
  const name = url.split('/').slice(-2).join('/');
  setStatus(`Fetching ${name}…`);
  const response = await fetch(url);
  if (!response.ok) {
    setStatus(`Could not fetch ${name}: HTTP ${response.status}`);
    return;
  }
  open(name, new Uint8Array(await response.arrayBuffer()));
}

// The whole page takes a dropped file (a drop elsewhere would make the browser open the file).
const drop = $('#drop');
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) drop.classList.remove('over');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file !== undefined) void openFile(file);
});
$('#file').addEventListener('change', (e) => {
  const file = e.target.files[0];
  if (file !== undefined) void openFile(file);
});
document.querySelectorAll('[data-sample]').forEach((button) => button.addEventListener('click', () => void openSample(SAMPLES[button.dataset.sample])));
$('#run').addEventListener('click', () => void run());
$('#key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  open(state.name, state.bytes, $('#key').value.trim());
});
document.body.dataset.ready = 'true';
