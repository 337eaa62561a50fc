// The models whose ONNX checker result test/fixtures/onnx/checker.json records: every mode with
// each graph option, both lowerings, float64, proj_size, cells, and the opsets toOnnx accepts.
// Weights are seeded (src/random.ts: PyTorch's initialisation drawn from mulberry32), so the exported bytes are reproducible; test/unit/onnx/ re-exports
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

/**
 * The state_dict of a config (PyTorch's names, shapes and initialisation: src/random.ts) and the
 * fromStateDict options for it. `random` is that module, from dist/ in scripts or src/ under
 * vitest, so that the tensors are of the Tensor class the caller's rnnport uses.
 */
export function checkerStateDict(config, random, seed = 1) {
  const dtype = config.dtype ?? 'float32';
  const shape = {
    inputSize: config.inputSize,
    hiddenSize: config.hiddenSize,
    numLayers: config.numLayers ?? 1,
    bias: config.bias !== false,
    bidirectional: config.bidirectional === true,
    projSize: config.projSize ?? 0,
  };
  const sd = random.initialStateDict(config.kind, shape, random.mulberry32(seed), dtype);
  return { sd, choice: { dtype, ...(config.nonlinearity ? { nonlinearity: config.nonlinearity } : {}) } };
}
