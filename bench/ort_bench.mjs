// Times one config in onnxruntime-node (1 intra-op and 1 inter-op thread); prints one JSON line.
// Usage: node ort_bench.mjs CONFIG_JSON WARMUP REPEAT
import { join } from 'node:path';
import { summarize } from './configs.mjs';
import { torchExportRunner } from './ort_torch_export.mjs';

const [c, warmup, repeat] = [JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const { run: once } = await torchExportRunner(c, join(import.meta.dirname, 'data', c.name));

for (let i = 0; i < warmup; i++) await once();
const times = [];
for (let i = 0; i < repeat; i++) times.push(await once());
const { version } = JSON.parse((await import('node:fs')).readFileSync(join(import.meta.dirname, 'node_modules/onnxruntime-node/package.json'), 'utf8'));
console.log(JSON.stringify({ ...summarize(times), ort: version, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
