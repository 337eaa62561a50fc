// Times one config in onnxruntime-node (1 intra-op and 1 inter-op thread); prints one JSON line.
// Usage: node ort_bench.mjs CONFIG_JSON WARMUP REPEAT
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { readNpy } from './npy.mjs';
import { summarize } from './configs.mjs';

const [c, warmup, repeat] = [JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const dir = join(import.meta.dirname, 'data', c.name);
const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), {
  intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
});
const x = readNpy(join(dir, 'input.npy'));
const lstm = c.mode === 'LSTM';
const D = c.bidirectional ? 2 : 1;
const stateShape = [c.numLayers * D, c.batch, c.hiddenSize];
const zeros = () => new ort.Tensor('float32', new Float32Array(stateShape.reduce((a, b) => a * b)), stateShape);

async function once() {
  const t0 = performance.now();
  if (c.stream) {
    const step = c.batch * c.inputSize;
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
}

for (let i = 0; i < warmup; i++) await once();
const times = [];
for (let i = 0; i < repeat; i++) times.push(await once());
const { version } = JSON.parse((await import('node:fs')).readFileSync(join(import.meta.dirname, 'node_modules/onnxruntime-node/package.json'), 'utf8'));
console.log(JSON.stringify({ ...summarize(times), ort: version, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
