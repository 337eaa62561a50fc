// ONNX Runtime on PyTorch's own torch.onnx.export of a config (bench/data/<config>/model.onnx):
// the session (1 intra-op and 1 inter-op thread, sequential, every graph optimisation) and one
// timed forward pass, or `steps` single steps with the state carried for a `stream` config.
// Shared by ort_bench.mjs (ORT alone) and ort_pair_bench.mjs (interleaved with rnnport via ORT).
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { readNpy } from './npy.mjs';

export const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };

/** The config's input, a function timing one run of PyTorch's export on it (ms), and the session's release. */
export async function torchExportRunner(c, dir) {
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), SESSION_OPTIONS);
  const x = readNpy(join(dir, 'input.npy'));
  const lstm = c.mode === 'LSTM';
  const stateShape = [c.numLayers * (c.bidirectional ? 2 : 1), c.batch, c.hiddenSize];
  const zeros = () => new ort.Tensor('float32', new Float32Array(stateShape.reduce((a, b) => a * b)), stateShape);
  const step = c.batch * c.inputSize;
  const run = async () => {
    const t0 = performance.now();
    if (c.stream) {
      let h = zeros(), cc = zeros();
      for (let t = 0; t < c.steps; t++) {
        const feeds = { x: new ort.Tensor('float32', x.data.subarray(t * step, (t + 1) * step), [1, c.batch, c.inputSize]), h0: h };
        if (lstm) feeds.c0 = cc;
        const r = await session.run(feeds);
        h = r.hn;
        if (lstm) cc = r.cn;
      }
    } else {
      const feeds = { x: new ort.Tensor('float32', x.data, x.shape), h0: zeros() };
      if (lstm) feeds.c0 = zeros();
      await session.run(feeds);
    }
    return performance.now() - t0;
  };
  return { x, run, release: () => session.release() };
}
