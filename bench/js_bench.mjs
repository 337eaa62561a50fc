// Times one config through rnnport's public API (the built ../dist), in-process; prints one JSON line.
// Usage: node [--experimental-wasm-relaxed-simd] js_bench.mjs CONFIG_JSON WARMUP REPEAT ENGINE SIMD
//        node [--experimental-wasm-relaxed-simd] js_bench.mjs --gemm SIMD   (the kernels' GEMM rate)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GRU, LSTM, Tensor } from '../dist/index.js';
import { openWorkspace } from '../dist/fast/wasm.js';
import { readNpy } from './npy.mjs';
import { summarize } from './configs.mjs';

const rss = () => process.resourceUsage().maxRSS / 1024;

/** GFLOP/s of the gemm kernel alone at the large LSTM's step shape and the medium one's. */
function gemmRate(simd) {
  const ws = openWorkspace(simd);
  const rates = {};
  for (const [M, K, N] of [[64, 768, 2048], [32, 384, 1024]]) {
    const w = ws.alloc(N * K * 4), b = ws.alloc(N * 4), a = ws.alloc(M * K * 4), c = ws.alloc(M * N * 4);
    ws.view('float32').fill(0.01, w / 4, w / 4 + N * K);
    ws.view('float32').fill(0.5, a / 4, a / 4 + M * K);
    const reps = Math.ceil(4e9 / (2 * M * N * K));
    const times = [];
    for (let r = 0; r < 2 * reps; r++) {
      const t0 = performance.now();
      ws.kernels('float32').gemm(M, K, N / 8, a, K, w, b, c, N);
      if (r >= reps) times.push(performance.now() - t0);
    }
    rates[`M${M}_K${K}_N${N}`] = (2 * M * N * K) / summarize(times).median_ms / 1e6;
  }
  return rates;
}

if (process.argv[2] === '--gemm') {
  console.log(JSON.stringify({ gflops: gemmRate(process.argv[3]) }));
} else {
  const [c, warmup, repeat, engineName, simd] = [JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), process.argv[5], process.argv[6]];
  const dir = join(import.meta.dirname, 'data', c.name);
  const weights = new Map();
  for (const file of readdirSync(join(dir, 'weights'))) {
    const { shape, data } = readNpy(join(dir, 'weights', file));
    weights.set(file.replace(/\.npy$/, ''), new Tensor('float32', shape, data));
  }
  const Module = c.mode === 'LSTM' ? LSTM : GRU;
  const options = { engine: engineName, ...(engineName === 'fast' ? { simd } : {}) };
  const module = Module.fromStateDict(weights, options);
  const x = readNpy(join(dir, 'input.npy'));
  const input = new Tensor('float32', x.shape, x.data);
  const stream = c.stream ? module.stream({ batch: c.batch }) : null;
  const step = c.batch * c.inputSize;
  const once = () => {
    const t0 = performance.now();
    if (stream !== null) {
      stream.reset();
      for (let t = 0; t < c.steps; t++) stream.step(x.data.subarray(t * step, (t + 1) * step));
    } else {
      module.forward(input);
    }
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) once();
  const times = [];
  for (let i = 0; i < repeat; i++) times.push(once());
  console.log(JSON.stringify({ ...summarize(times), engine: module.engine, simd: module.engine === 'fast' ? simd : 'none', peak_rss_mb: rss() }));
}
