/**
 * PyTorch's own ONNX export of every case, made ahead by one run of
 * compat/python/torch_onnx_export.py (torch.onnx.export's TorchScript exporter, a process per case
 * so that an exporter crash fails that case only): each case's
 * weights, inputs and settings are written to a job folder, the script writes model.onnx and
 * export.json (ok, reason, warnings) beside them. A case whose export failed is "unsupported" in
 * the table, with the exporter's reason; its warnings are kept for the table's notes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveSafetensors, unsupported, type Case } from '../../../dist/index.js';
import { writeNpyFile } from '../../../dist/node.js';
import type { ModelFor } from './onnx-runners.js';

export const EXPORTER = join(import.meta.dirname, '../../python/torch_onnx_export.py');

/** export.json, as the script writes it. */
interface ExportResult {
  readonly ok: boolean;
  readonly reason: string | null;
  readonly warnings: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly torch: string;
  readonly opset: number;
}

export interface TorchExports {
  /** torch.__version__ of the exporter. */
  readonly torch: string;
  /** The case's model, or `unsupported` with the exporter's reason. */
  model(name: string): ModelFor;
  /** The warnings each case's export emitted. */
  readonly warnings: ReadonlyMap<string, readonly string[]>;
}

/** Writes a job per case under `dir` and runs the exporter with `python` over them. */
export function exportWithTorch(python: string, cases: readonly Case[], dir: string): TorchExports {
  rmSync(dir, { recursive: true, force: true });
  for (const c of cases) {
    const job = join(dir, c.name);
    mkdirSync(job, { recursive: true });
    writeFileSync(join(job, 'weights.safetensors'), saveSafetensors(c.weights));
    writeNpyFile(join(job, 'input.npy'), c.input);
    if (c.h0 !== undefined) writeNpyFile(join(job, 'h_0.npy'), c.h0);
    if (c.c0 !== undefined) writeNpyFile(join(job, 'c_0.npy'), c.c0);
    if (c.lengths !== undefined) writeNpyFile(join(job, 'lengths.npy'), c.lengths);
    const o = c.description.options;
    const settings = { prefix: c.description.prefix, batch_first: o['batch_first'] === true, nonlinearity: o['nonlinearity'] ?? null, dtype: c.description.dtype };
    writeFileSync(join(job, 'job.json'), JSON.stringify(settings));
  }
  const run = spawnSync(python, [EXPORTER, dir], { stdio: ['ignore', 2, 2], timeout: 60 * 60 * 1000 });
  if (run.error !== undefined || run.status !== 0) throw new Error(`${python} ${EXPORTER}: ${run.error?.message ?? `exit status ${run.status ?? run.signal}`}`);
  const results = new Map<string, ExportResult>();
  for (const c of cases) {
    const file = join(dir, c.name, 'export.json');
    if (existsSync(file)) results.set(c.name, JSON.parse(readFileSync(file, 'utf8')) as ExportResult);
  }
  const first = results.values().next().value;
  return {
    torch: first?.torch ?? 'unknown',
    warnings: new Map([...results].map(([name, r]) => [name, r.warnings])),
    model(name) {
      const r = results.get(name);
      if (r === undefined) throw new Error(`no export.json for ${name}: the exporter did not reach it`);
      if (!r.ok) throw unsupported(`torch.onnx.export failed: ${r.reason ?? 'no reason given'}`);
      return { model: readFileSync(join(dir, name, 'model.onnx')), inputs: r.inputs };
    },
  };
}
