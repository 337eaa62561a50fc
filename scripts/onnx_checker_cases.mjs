// The models whose ONNX checker result test/fixtures/onnx/checker.json records: every mode with
// each graph option, both lowerings, float64, proj_size, cells, and the opsets toOnnx accepts.
// Weights are seeded (mulberry32), so the exported bytes are reproducible; test/unit/onnx/ re-exports
// each model and checks its bytes are the ones the checker passed. Shared by
// scripts/make_onnx_checker_fixture.mjs and that test.

/** { name, config (module), options (toOnnx) } */
export const CHECKER_CASES = [];
const add = (name, config, options = {}) => CHECKER_CASES.push({ name, config, options });

for (const [mode, extra] of [['rnn_tanh', { kind: 'RNN' }], ['rnn_relu', { kind: 'RNN', nonlinearity: 'relu' }], ['gru', { kind: 'GRU' }], ['lstm', { kind: 'LSTM' }]]) {
  const base = { ...extra, inputSize: 3, hiddenSize: 4 };
  add(`${mode}`, base);
  add(`${mode}_l2_bidir_state_packed`, { ...base, numLayers: 2, bidirectional: true }, { state: true, packed: true });
  add(`${mode}_batch_first_state`, base, { batchFirst: true, state: true });
  add(`${mode}_unbatched_state`, { ...base, bidirectional: true }, { unbatched: true, state: true });
  add(`${mode}_nobias_l3`, { ...base, numLayers: 3, bias: false });
  add(`${mode}_scan_l2_bidir_state_packed`, { ...base, numLayers: 2, bidirectional: true }, { state: true, packed: true, lowering: 'scan' });
  add(`${mode}_f64_bidir_packed`, { ...base, bidirectional: true, dtype: 'float64' }, { packed: true, state: true });
}
add('lstm_proj_l2_bidir_state_packed', { kind: 'LSTM', inputSize: 3, hiddenSize: 5, projSize: 2, numLayers: 2, bidirectional: true }, { state: true, packed: true });
add('lstm_proj_f64_unbatched', { kind: 'LSTM', inputSize: 3, hiddenSize: 5, projSize: 2, dtype: 'float64' }, { unbatched: true });
for (const kind of ['RNNCell', 'GRUCell', 'LSTMCell']) {
  add(`${kind.toLowerCase()}`, { kind, inputSize: 3, hiddenSize: 4 });
  add(`${kind.toLowerCase()}_unbatched_state`, { kind, inputSize: 3, hiddenSize: 4 }, { unbatched: true, state: true });
  add(`${kind.toLowerCase()}_f64_state`, { kind, inputSize: 3, hiddenSize: 4, dtype: 'float64' }, { state: true });
}
for (const opset of [14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25]) {
  add(`lstm_bidir_packed_opset${opset}`, { kind: 'LSTM', inputSize: 3, hiddenSize: 4, bidirectional: true }, { packed: true, state: true, opset });
  add(`gru_scan_packed_opset${opset}`, { kind: 'GRU', inputSize: 3, hiddenSize: 4, bidirectional: true }, { packed: true, lowering: 'scan', opset });
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The state_dict of a config (PyTorch's names and shapes), values uniform in ±1/√H, and the
 * fromStateDict options for it. `Tensor` is passed in (from src/ under vitest, dist/ in scripts).
 */
export function checkerStateDict(config, Tensor, seed = 1) {
  const rand = mulberry32(seed);
  const cell = config.kind.endsWith('Cell');
  const base = cell ? config.kind.slice(0, -4) : config.kind;
  const G = base === 'LSTM' ? 4 : base === 'GRU' ? 3 : 1;
  const H = config.hiddenSize;
  const P = config.projSize ?? 0;
  const D = config.bidirectional ? 2 : 1;
  const dtype = config.dtype ?? 'float32';
  const tensor = (shape) => {
    const n = shape.reduce((x, y) => x * y, 1);
    const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (2 * rand() - 1) / Math.sqrt(H);
    return new Tensor(dtype, shape, data);
  };
  const sd = new Map();
  for (let k = 0; k < (config.numLayers ?? 1); k++) {
    for (let dir = 0; dir < D; dir++) {
      const s = cell ? '' : `_l${k}${dir === 1 ? '_reverse' : ''}`;
      sd.set(`weight_ih${s}`, tensor([G * H, k === 0 ? config.inputSize : D * (P || H)]));
      sd.set(`weight_hh${s}`, tensor([G * H, P || H]));
      if (config.bias !== false) {
        sd.set(`bias_ih${s}`, tensor([G * H]));
        sd.set(`bias_hh${s}`, tensor([G * H]));
      }
      if (P > 0) sd.set(`weight_hr${s}`, tensor([P, H]));
    }
  }
  return { sd, choice: { dtype, ...(config.nonlinearity ? { nonlinearity: config.nonlinearity } : {}) } };
}
