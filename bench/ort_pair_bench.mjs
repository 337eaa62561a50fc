// rnnport through ONNX Runtime (`onnxModule` from rnnport/onnx, the model toOnnx exports) and ONNX
// Runtime on PyTorch's own torch.onnx.export of the same weights, in one process, interleaved: each
// repeat times one forward pass of each, alternating which goes first, so both see the same machine
// state. One intra-op and one inter-op thread, sequential execution, every graph optimisation.
// `stream`: 100 single steps with the state carried (rnnport: forward on (1, B, I) with hx).
// Prints one JSON line: median_ms (rnnport via ORT), torch_export_median_ms, and ratio: the median
// over repeats of (rnnport's time ÷ the torch export's time next to it), which keeps its meaning on
// a machine whose load changes during the run (each pair sees the same load). Runs at least 15
// repeats (each pair is two fast native runs).
// Usage: node ort_pair_bench.mjs CONFIG_JSON WARMUP REPEAT
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { GRU, LSTM, Tensor } from '../dist/index.js';
import { onnxModule } from '../dist/onnx.js';
import { readNpy } from './npy.mjs';
import { summarize } from './configs.mjs';
import { SESSION_OPTIONS, torchExportRunner } from './ort_torch_export.mjs';

const [c, warmup, repeat] = [JSON.parse(process.argv[2]), Number(process.argv[3]), Math.max(15, Number(process.argv[4]))];
const dir = join(import.meta.dirname, 'data', c.name);
const lstm = c.mode === 'LSTM';

// ---- rnnport via ONNX Runtime ----
const weights = new Map();
for (const file of readdirSync(join(dir, 'weights'))) {
  const { shape, data } = readNpy(join(dir, 'weights', file));
  weights.set(file.replace(/\.npy$/, ''), new Tensor('float32', shape, data));
}
const module = (lstm ? LSTM : GRU).fromStateDict(weights, { engine: 'reference' });
const adapter = await onnxModule(module, ort, { intraOpNumThreads: 1, interOpNumThreads: 1, sessionOptions: SESSION_OPTIONS });
const x = readNpy(join(dir, 'input.npy'));
const input = new Tensor('float32', x.shape, x.data);
const step = c.batch * c.inputSize;

async function rnnport() {
  const t0 = performance.now();
  if (c.stream) {
    let hx;
    for (let t = 0; t < c.steps; t++) {
      const r = await adapter.forward(new Tensor('float32', [1, c.batch, c.inputSize], x.data.subarray(t * step, (t + 1) * step)), hx);
      hx = lstm ? [r.hN, r.cN] : r.hN;
    }
  } else {
    await adapter.forward(input);
  }
  return performance.now() - t0;
}

// ---- ONNX Runtime on PyTorch's export (as ort_bench.mjs) ----
const { run: torchExport, release } = await torchExportRunner(c, dir);

for (let i = 0; i < warmup; i++) {
  await rnnport();
  await torchExport();
}
const ours = [];
const theirs = [];
for (let i = 0; i < repeat; i++) {
  if (i % 2 === 0) {
    ours.push(await rnnport());
    theirs.push(await torchExport());
  } else {
    theirs.push(await torchExport());
    ours.push(await rnnport());
  }
}
await adapter.dispose();
await release();
const { version } = JSON.parse(readFileSync(join(import.meta.dirname, 'node_modules/onnxruntime-node/package.json'), 'utf8'));
const a = summarize(ours);
const b = summarize(theirs);
const ratio = summarize(ours.map((t, i) => t / theirs[i])).median_ms;
console.log(JSON.stringify({ ...a, torch_export_median_ms: b.median_ms, ratio, ratio_of_medians: a.median_ms / b.median_ms, ort: version, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
