// The benchmark configurations (1 thread each). `stream`: the input is fed one time
// step at a time through each peer's streaming path; the time is the total for all steps.
export const CONFIGS = [
  { name: 'small', mode: 'LSTM', batch: 1, steps: 100, inputSize: 32, hiddenSize: 64, numLayers: 1, bidirectional: false, stream: false },
  { name: 'medium', mode: 'LSTM', batch: 32, steps: 100, inputSize: 128, hiddenSize: 256, numLayers: 2, bidirectional: false, stream: false },
  { name: 'medium-bi', mode: 'LSTM', batch: 32, steps: 100, inputSize: 128, hiddenSize: 256, numLayers: 2, bidirectional: true, stream: false },
  { name: 'large-lstm', mode: 'LSTM', batch: 64, steps: 256, inputSize: 256, hiddenSize: 512, numLayers: 1, bidirectional: false, stream: false },
  { name: 'large-gru', mode: 'GRU', batch: 64, steps: 256, inputSize: 256, hiddenSize: 512, numLayers: 1, bidirectional: false, stream: false },
  { name: 'stream', mode: 'LSTM', batch: 1, steps: 100, inputSize: 128, hiddenSize: 256, numLayers: 1, bidirectional: false, stream: true },
];

/** Floating-point operations of one forward pass: 2·B·T·G·H·(I_l + H) per layer and direction. */
export function flops(c) {
  const G = c.mode === 'LSTM' ? 4 : c.mode === 'GRU' ? 3 : 1;
  const D = c.bidirectional ? 2 : 1;
  let total = 0;
  for (let l = 0; l < c.numLayers; l++) {
    const inSize = l === 0 ? c.inputSize : D * c.hiddenSize;
    total += D * 2 * c.batch * c.steps * G * c.hiddenSize * (inSize + c.hiddenSize);
  }
  return total;
}

/** Median, min and max of a list of times (ms). */
export function summarize(times) {
  const s = [...times].sort((a, b) => a - b);
  return { median_ms: s[s.length >> 1], min_ms: s[0], max_ms: s[s.length - 1], repeat: s.length };
}
