// Where ONNX Runtime overtakes the WebAssembly engine: an LSTM (I128 H256, one layer, T100) at
// batch 1 … 64, rnnport's fast engine (forward) and onnxModule in onnxruntime-node (one thread),
// interleaved in one process; plus streaming (100 single steps, state carried). Prints a Markdown
// table (docs/onnx.md, "Which engine"). Usage: node [--experimental-wasm-relaxed-simd] crossover.mjs
import { cpus } from 'node:os';
import ort from 'onnxruntime-node';
import { LSTM, Tensor } from '../dist/index.js';
import { onnxModule } from '../dist/onnx.js';
import { summarize } from './configs.mjs';

const [I, H, T] = [128, 256, 100];
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.1;
const tensor = (shape) => new Tensor('float32', shape, Float32Array.from({ length: shape.reduce((a, b) => a * b) }, rand));
const sd = new Map([
  ['weight_ih_l0', tensor([4 * H, I])],
  ['weight_hh_l0', tensor([4 * H, H])],
  ['bias_ih_l0', tensor([4 * H])],
  ['bias_hh_l0', tensor([4 * H])],
]);
const wasm = LSTM.fromStateDict(sd, { engine: 'fast' });
const viaOrt = await onnxModule(LSTM.fromStateDict(sd, { engine: 'reference' }), ort, { intraOpNumThreads: 1, interOpNumThreads: 1 });

async function pair(B, stream, repeat) {
  const x = tensor([T, B, I]);
  const steps = Array.from({ length: T }, (_, t) => new Tensor('float32', [1, B, I], x.data.subarray(t * B * I, (t + 1) * B * I)));
  const s = stream ? wasm.stream({ batch: B }) : null;
  const runWasm = () => {
    if (s === null) return wasm.forward(x);
    s.reset();
    for (const step of steps) s.step(step.data);
  };
  const runOrt = async () => {
    if (!stream) return viaOrt.forward(x);
    let hx;
    for (const step of steps) {
      const r = await viaOrt.forward(step, hx);
      hx = [r.hN, r.cN];
    }
  };
  const a = [];
  const b = [];
  const warmup = 10;
  for (let i = 0; i < repeat + warmup; i++) {
    let t0 = performance.now();
    runWasm();
    const ta = performance.now() - t0;
    t0 = performance.now();
    await runOrt();
    const tb = performance.now() - t0;
    if (i >= warmup) a.push(ta), b.push(tb);
  }
  s?.dispose();
  return [summarize(a).median_ms, summarize(b).median_ms];
}

const rows = [];
for (const [B, stream] of [[1, true], [1, false], [2, false], [4, false], [8, false], [16, false], [32, false], [64, false]]) {
  const [w, o] = await pair(B, stream, B >= 16 ? 9 : 21);
  rows.push(`| ${stream ? `stream, batch ${B} (100 single steps)` : `batch ${B}`} | ${w.toFixed(2)} | ${o.toFixed(2)} | ${w <= o ? 'WebAssembly' : 'ONNX Runtime'} (${(Math.max(w, o) / Math.min(w, o)).toFixed(1)}×) |`);
}
await viaOrt.dispose();
wasm.dispose();
console.log(`LSTM I${I} H${H} T${T}, one thread, medians (ms); ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, onnxruntime-node ${JSON.parse((await import('node:fs')).readFileSync(new URL('node_modules/onnxruntime-node/package.json', import.meta.url), 'utf8')).version}, WebAssembly ${wasm.engine === 'fast' ? 'fast engine' : wasm.engine}`);
console.log('');
console.log('| input | WebAssembly engine | onnxModule (onnxruntime-node) | faster |');
console.log('|---|---:|---:|---|');
for (const r of rows) console.log(r);
