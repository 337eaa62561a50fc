// `npm run bench`: every peer on every config, one thread each, in one run on this machine, then
// bench/RESULTS.md. Peers that are not installed are skipped with a note. Each measurement runs in
// its own process (clean peak RSS). Options: --quick (fewer repeats), --only NAME[,NAME].
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CONFIGS, flops } from './configs.mjs';

const here = import.meta.dirname;
const root = join(here, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const configs = CONFIGS.filter((c) => only === null || only.includes(c.name));
const venv = join(here, '.venv/bin/python');
const torch113 = '/usr/bin/python3';
const env113 = { ...process.env };
delete env113.OPENBLAS_CORETYPE;
delete env113.OPENBLAS_L2_SIZE;

/** Repeats per config: long configs fewer times; sub-millisecond ones enough for the JIT to settle. */
function repeats(c) {
  const f = flops(c);
  const repeat = quick ? 3 : f > 2e10 ? 7 : f > 1e9 ? 15 : 300;
  return { warmup: quick ? 1 : Math.max(2, Math.min(50, repeat >> 1)), repeat };
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 24, ...options });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const relaxedFlag = '--experimental-wasm-relaxed-simd';
const ortMissing = existsSync(join(here, 'node_modules/onnxruntime-node')) ? null : 'onnxruntime-node not installed (npm install in bench/)';
const peers = [
  { id: 'fast-relaxed', label: 'rnnport fast (relaxed SIMD)', cmd: (c, w, r) => ['node', [relaxedFlag, 'js_bench.mjs', JSON.stringify(c), w, r, 'fast', 'relaxed']] },
  { id: 'fast-plain', label: 'rnnport fast (plain SIMD)', cmd: (c, w, r) => ['node', ['js_bench.mjs', JSON.stringify(c), w, r, 'fast', 'plain']] },
  // the reference engine is the plain-JS oracle: one timed pass on the long configs
  { id: 'reference', label: 'rnnport reference', cmd: (c) => ['node', ['js_bench.mjs', JSON.stringify(c), ...(quick || flops(c) > 1e9 ? [0, 1] : [1, 3]), 'reference', 'plain']] },
  { id: 'torch213', label: 'PyTorch 2.13 (MKL)', cmd: (c, w, r) => [venv, ['torch_bench.py', JSON.stringify(c), w, r]] },
  { id: 'torch113', label: 'PyTorch 1.13 (OpenBLAS)', skip: spawnSync(torch113, ['-c', 'import torch']).status === 0 ? null : 'python3-torch not installed', cmd: (c, w, r) => [torch113, ['torch_bench.py', JSON.stringify(c), w, r], { env: env113 }] },
  { id: 'ort', label: 'onnxruntime-node', skip: ortMissing, cmd: (c, w, r) => ['node', ['ort_bench.mjs', JSON.stringify(c), w, r]] },
  // rnnport/onnx's onnxModule, interleaved in one process with ORT on PyTorch's own export
  { id: 'ort-rnnport', label: 'rnnport via ONNX Runtime', skip: ortMissing, cmd: (c, w, r) => ['node', ['ort_pair_bench.mjs', JSON.stringify(c), w, r]] },
];

if (!existsSync(join(root, 'dist/fast/engine.js'))) throw new Error('build rnnport first: npm run build (in the repository root)');
// the weights, inputs and ONNX models all come from PyTorch 2.13 (bench/.venv, see README.md)
if (!existsSync(venv)) throw new Error('bench/.venv is missing: see bench/README.md (it makes the models every peer runs)');
execFileSync(venv, ['make_models.py', JSON.stringify(CONFIGS)], { cwd: here, stdio: 'inherit' });

const load = loadavg()[0];
const results = {};
for (const c of configs) {
  results[c.name] = {};
  const { warmup, repeat } = repeats(c);
  for (const p of peers) {
    if (p.skip) continue;
    const [cmd, argv, options] = p.cmd(c, warmup, repeat);
    const r = run(cmd, argv.map(String), { cwd: here, ...options });
    results[c.name][p.id] = r;
    console.error(`${c.name.padEnd(11)} ${p.label.padEnd(30)} ${r.error ? `failed: ${r.error}` : `${r.median_ms.toFixed(3)} ms`}`);
  }
}
const gemm = { plain: run('node', ['js_bench.mjs', '--gemm', 'plain'], { cwd: here }), relaxed: run('node', [relaxedFlag, 'js_bench.mjs', '--gemm', 'relaxed'], { cwd: here }) };
const loadAfter = loadavg()[0];
writeFileSync(join(here, 'results.json'), JSON.stringify({ schema: 1, results, gemm }, null, 1));

// ---- RESULTS.md ----
const lscpu = spawnSync('lscpu', { encoding: 'utf8' }).stdout ?? '';
const model = (lscpu.match(/Model name:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model ?? 'unknown';
const avx512 = /\bavx512f\b/.test(lscpu);
const fmt = (x, d = 2) => (x === undefined ? '–' : x.toFixed(d));
const med = (r) => (r && !r.error ? r.median_ms : undefined);
const version = (id, key) => Object.values(results).map((r) => r[id]?.[key]).find((v) => v !== undefined) ?? 'n/a';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lines = [
  '# rnnport benchmarks',
  '',
  `Generated by \`npm run bench\` in bench/ on ${new Date().toISOString().slice(0, 16)}Z. One thread everywhere; medians of`,
  'repeated forward passes in one run on one machine (ratios are the comparable numbers; absolute times move ±10–20 % between runs).',
  '',
  `- CPU: ${model}, ${cpus().length} vCPUs, AVX-512: ${avx512 ? 'yes' : 'no'}, AVX2+FMA: ${/\bfma\b/.test(lscpu) ? 'yes' : 'no'}`,
  `- machine idle at the start: ${load < 0.5 ? 'yes' : 'no'} (1-minute load average ${load.toFixed(2)} before the run, ${loadAfter.toFixed(2)} after, the run's own process included)`,
  `- rnnport ${pkg.version}, Node ${process.versions.node} (V8 ${process.versions.v8}), PyTorch ${version('torch213', 'torch')} and ${version('torch113', 'torch')}, onnxruntime-node ${version('ort', 'ort')}`,
  '',
  '## Median time per forward pass (ms)',
  '',
  `| config | ${peers.map((p) => p.label).join(' | ')} |`,
  `|---|${peers.map(() => '---:').join('|')}|`,
  ...configs.map((c) => `| ${c.name} | ${peers.map((p) => fmt(med(results[c.name][p.id]), 3)).join(' | ')} |`),
  '',
  '## Ratios (time ÷ peer time; < 1 is faster) and throughput',
  '',
  '"PyTorch" is the faster of the two builds for each config.',
  '',
  '| config | GFLOP | relaxed ÷ PyTorch | plain ÷ PyTorch | reference ÷ PyTorch | relaxed ÷ ORT | plain ÷ ORT | relaxed GFLOP/s | plain GFLOP/s |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...configs.map((c) => {
    const r = results[c.name];
    const torch = Math.min(med(r.torch213) ?? Infinity, med(r.torch113) ?? Infinity);
    const ort = med(r.ort);
    const ratio = (id, base) => (med(r[id]) === undefined || !Number.isFinite(base ?? NaN) ? '–' : fmt(med(r[id]) / base));
    const gf = (id) => (med(r[id]) === undefined ? '–' : fmt(flops(c) / med(r[id]) / 1e6, 1));
    return `| ${c.name} | ${fmt(flops(c) / 1e9, 3)} | ${ratio('fast-relaxed', torch)} | ${ratio('fast-plain', torch)} | ${ratio('reference', torch)} | ${ratio('fast-relaxed', ort)} | ${ratio('fast-plain', ort)} | ${gf('fast-relaxed')} | ${gf('fast-plain')} |`;
  }),
  '',
  ...engines(),
  '',
  ...targets(),
  '',
  '## The kernels\' own GEMM rate (GFLOP/s, C = A·Wᵀ, same run)',
  '',
  '| shape | plain | relaxed |',
  '|---|---:|---:|',
  ...Object.keys(gemm.plain.gflops ?? {}).map((k) => `| ${k} | ${fmt(gemm.plain.gflops[k], 1)} | ${fmt(gemm.relaxed.gflops?.[k], 1)} |`),
  '',
  '## Peak RSS per process (MB; each peer runs in its own process, runtime included)',
  '',
  `| config | ${peers.map((p) => p.label).join(' | ')} |`,
  `|---|${peers.map(() => '---:').join('|')}|`,
  ...configs.map((c) => `| ${c.name} | ${peers.map((p) => fmt(results[c.name][p.id]?.peak_rss_mb, 0)).join(' | ')} |`),
  '',
  ...peers.filter((p) => p.skip).map((p) => `Skipped ${p.label}: ${p.skip}.`),
];
const notesPath = join(here, 'NOTES.md');

/**
 * Issue 18: rnnport's two engines side by side (the faster one per config is the crossover), and
 * rnnport through ONNX Runtime against ONNX Runtime on PyTorch's own export, interleaved in one
 * process (the ratio of their medians: ≤ 1.1 is the target on the medium and large configs).
 */
function engines() {
  const rows = configs.map((c) => {
    const r = results[c.name];
    const wasm = med(r['fast-relaxed']) ?? med(r['fast-plain']);
    const viaOrt = med(r['ort-rnnport']);
    const pair = r['ort-rnnport'];
    const faster = wasm === undefined || viaOrt === undefined ? '–' : wasm <= viaOrt ? 'WebAssembly' : 'ONNX Runtime';
    const ratio = pair && !pair.error ? pair.ratio : undefined;
    const big = c.batch > 1;
    const target = ratio === undefined || !big ? '–' : ratio <= 1.1 ? 'met' : 'missed';
    return `| ${c.name} | ${fmt(wasm, 3)} | ${fmt(viaOrt, 3)} | ${faster} | ${fmt(pair?.torch_export_median_ms, 3)} | ${fmt(ratio)} | ${target} |`;
  });
  return [
    "## rnnport's engines: WebAssembly or ONNX Runtime",
    '',
    '"via ORT": `onnxModule` from rnnport/onnx running the model `toOnnx` exports in onnxruntime-node; "ORT on torch export": the same',
    'weights exported by `torch.onnx.export`, timed in the same process, interleaved with it (medians of those repeats; the ratio is',
    'the median of each repeat\'s pair ratio). Target: via ORT ≤ 1.1× ORT on torch export on the medium and large configs.',
    '',
    '| config | WebAssembly (relaxed) ms | via ORT ms | faster engine | ORT on torch export ms | via ORT ÷ torch export | ≤ 1.1× |',
    '|---|---:|---:|---|---:|---:|---|',
    ...rows,
  ];
}

/** Issue 10's targets, each with the measured value and whether it is met. */
function targets() {
  const rows = [];
  const add = (what, value, met) => rows.push(`| ${what} | ${value} | ${met === undefined ? '–' : met ? 'met' : 'missed'} |`);
  const gemmRate = (build) => gemm[build]?.gflops?.M64_K768_N2048;
  for (const c of configs) {
    const r = results[c.name];
    const torch = Math.min(med(r.torch213) ?? Infinity, med(r.torch113) ?? Infinity);
    const ort = med(r.ort);
    for (const build of ['relaxed', 'plain']) {
      const t = med(r[`fast-${build}`]);
      if (t === undefined) continue;
      if (c.batch === 1) {
        if (Number.isFinite(torch)) add(`${c.name}, ${build}: faster than PyTorch`, `${fmt(t / torch)}× its time`, t < torch);
        if (ort !== undefined) add(`${c.name}, ${build}: no slower than ORT`, `${fmt(t / ort)}× its time`, t <= ort);
      } else {
        const limit = build === 'relaxed' ? 1.5 : 2.0;
        if (Number.isFinite(torch)) add(`${c.name}, ${build}: ≤ ${limit}× PyTorch's time (AVX2 target${avx512 ? '; this machine has AVX-512' : ''})`, `${fmt(t / torch)}×`, t / torch <= limit);
        const rate = gemmRate(build);
        if (rate !== undefined) add(`${c.name}, ${build}: end-to-end ≥ 75 % of the GEMM microbenchmark`, `${fmt((flops(c) / t / 1e6 / rate) * 100, 0)} %`, flops(c) / t / 1e6 >= 0.75 * rate);
      }
      const rss = r[`fast-${build}`]?.peak_rss_mb, ortRss = r.ort?.peak_rss_mb;
      if (rss !== undefined && ortRss !== undefined) add(`${c.name}, ${build}: peak RSS ≤ ORT's`, `${fmt(rss, 0)} vs ${fmt(ortRss, 0)} MB`, rss <= ortRss);
    }
  }
  return ['## Targets, from this run', '', '| target | measured | |', '|---|---:|---|', ...rows];
}
if (existsSync(notesPath)) lines.push('', readFileSync(notesPath, 'utf8').trim());
writeFileSync(join(here, 'RESULTS.md'), lines.join('\n') + '\n');
console.error('wrote bench/RESULTS.md');
