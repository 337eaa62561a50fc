/**
 * The table's columns: every runtime a user might pick to run a PyTorch recurrent layer, each as an
 * implementation of the conformance kit (`Implementation`: what `rnnport run` receives in, output /
 * h_n / c_n out). Opening a runtime finds its version; a runtime that is not installed is
 * `Unavailable`, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rnnportImplementation, type Case, type Implementation } from '../../../dist/index.js';
import { commandImplementation } from '../../../dist/cli/impl.js';
import { enableRelaxedSimd } from '../../../dist/cli/v8-flags.js';
import { onnxImplementation, ortNode, rnnportExport } from './onnx-runners.js';
import { openOrtWeb } from './ort-web.js';
import { exportWithTorch, type TorchExports } from './torch-export.js';

export const REPO = join(import.meta.dirname, '../../..');
const TORCH_RUN = join(REPO, 'python/torch_run.py');

/** An opened column. */
export interface Runtime {
  /** The versions that produced the column (e.g. `onnxruntime-node 1.30.0, Node 20.19.5`). */
  readonly version: string;
  /** Notes per case (e.g. an exporter's warnings). */
  readonly notes?: ReadonlyMap<string, readonly string[]>;
  implementationFor(c: Case): Implementation;
  close(): Promise<void>;
}

/** A runtime that cannot run on this machine; its message says what is missing. */
export class Unavailable extends Error {
  override readonly name = 'Unavailable';
}

/** What opening a runtime may use. */
export interface Context {
  readonly cases: readonly Case[];
  /** A scratch folder of this run. */
  readonly workDir: string;
}

export interface RuntimeSpec {
  readonly id: string;
  /** The column's heading. */
  readonly label: string;
  /** Installs with the package's `npm ci` (no Python): `.ci/run` runs it. */
  readonly offline: boolean;
  /** What it is, for the table's list of runtimes. */
  readonly about: string;
  open(ctx: Context): Promise<Runtime>;
}

/** A dependency's version, from its package.json in compat/node_modules (not every package exports that file). */
const packageVersion = (name: string): string => (JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const RNNPORT = `rnnport ${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}`;
const isCell = (c: Case): boolean => c.description.module.endsWith('Cell');
const closed = async (): Promise<void> => {};

/** The Python of a PyTorch column: an environment variable, else the default path. */
function torchPython(variable: string, fallback: string): { python: string; torch: string } {
  const python = process.env[variable] ?? fallback;
  const probe = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.status !== 0) throw new Unavailable(`${python} cannot import torch and numpy (set ${variable}): ${(probe.stderr ?? probe.error?.message ?? '').trim().split('\n').pop() ?? ''}`);
  return { python, torch: probe.stdout.trim() };
}

const VENV_PYTHON = (): { python: string; torch: string } => torchPython('RNNPORT_TORCH_PYTHON', join(REPO, '.venv-torch/bin/python'));

function pytorch(id: string, label: string, about: string, python: () => { python: string; torch: string }): RuntimeSpec {
  return {
    id,
    label,
    offline: false,
    about,
    async open(ctx) {
      const p = python();
      const impl = commandImplementation(`'${p.python}' '${TORCH_RUN}'`, join(ctx.workDir, id));
      return { version: `torch ${p.torch}`, implementationFor: () => impl, close: closed };
    },
  };
}

function rnnportEngine(id: string, label: string, about: string, options: Parameters<typeof rnnportImplementation>[0]): RuntimeSpec {
  return {
    id,
    label,
    offline: true,
    about,
    async open() {
      const flags = options?.simd === 'relaxed' ? enableRelaxedSimd() : [];
      const impl = rnnportImplementation(options);
      return { version: `${RNNPORT}, Node ${process.versions.node}${flags.length > 0 ? ` (${flags.join(' ')})` : ''}`, implementationFor: () => impl, close: closed };
    },
  };
}

/** One torch.onnx.export per table run, shared by the columns that run PyTorch's models. */
let torchExports: { readonly cases: readonly Case[]; readonly exports: TorchExports } | undefined;
function torchExportsFor(ctx: Context): TorchExports {
  if (torchExports?.cases !== ctx.cases) torchExports = { cases: ctx.cases, exports: exportWithTorch(VENV_PYTHON().python, ctx.cases, join(ctx.workDir, 'torch-export')) };
  return torchExports.exports;
}

function ortColumn(id: string, label: string, about: string, exporter: 'rnnport' | 'torch', runner: 'node' | 'web'): RuntimeSpec {
  return {
    id,
    label,
    offline: exporter === 'rnnport',
    about,
    async open(ctx) {
      const exports = exporter === 'torch' ? torchExportsFor(ctx) : undefined;
      const ort = runner === 'node' ? ortNode : await openOrtWeb().catch((e: unknown) => Promise.reject(new Unavailable(`Chromium: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)));
      const pkg = runner === 'node' ? 'onnxruntime-node' : 'onnxruntime-web';
      const made = exports === undefined ? RNNPORT : `torch ${exports.torch} (torch.onnx.export, TorchScript exporter, opset 17)`;
      return {
        version: `${pkg} ${packageVersion(pkg)}, ${ort.detail}; models by ${made}`,
        ...(exports !== undefined && { notes: exports.warnings }),
        implementationFor: (c) => onnxImplementation(ort, exports === undefined ? rnnportExport(isCell(c)) : () => exports.model(c.name)),
        close: () => ort.close(),
      };
    },
  };
}

function tfjsColumn(id: string, label: string, backend: 'cpu' | 'wasm'): RuntimeSpec {
  return {
    id,
    label,
    offline: true,
    about: `TensorFlow.js layers (${backend} backend) with PyTorch's weights mapped in (compat/lib/runtimes/tfjs.ts)`,
    async open() {
      const { openTfjs } = await import('../runtimes/tfjs.js'); // TensorFlow.js loads only when its column runs
      const tf = await openTfjs(backend);
      return { version: tf.version, implementationFor: () => tf.implementation, close: () => tf.close() };
    },
  };
}

/** Every column, in the table's order. */
export const RUNTIMES: readonly RuntimeSpec[] = [
  pytorch('pytorch', 'PyTorch (venv)', "PyTorch in the goldens' Python venv (`.venv-torch`, or RNNPORT_TORCH_PYTHON), through python/torch_run.py", VENV_PYTHON),
  pytorch('pytorch-debian', "PyTorch (Debian's)", "Debian's python3-torch (`/usr/bin/python3`, or RNNPORT_TORCH113_PYTHON), through python/torch_run.py", () => torchPython('RNNPORT_TORCH113_PYTHON', '/usr/bin/python3')),
  ortColumn('ort-node-torch', 'ORT node ← torch.onnx.export', "onnxruntime-node on PyTorch's own export of the module", 'torch', 'node'),
  ortColumn('ort-web-torch', 'ORT web ← torch.onnx.export', "onnxruntime-web (WebAssembly, Chromium) on PyTorch's own export", 'torch', 'web'),
  ortColumn('ort-node-rnnport', 'ORT node ← rnnport export', 'onnxruntime-node on `rnnport export` (toOnnx)', 'rnnport', 'node'),
  ortColumn('ort-web-rnnport', 'ORT web ← rnnport export', 'onnxruntime-web (WebAssembly, Chromium) on `rnnport export`', 'rnnport', 'web'),
  tfjsColumn('tfjs-cpu', 'tfjs CPU', 'cpu'),
  tfjsColumn('tfjs-wasm', 'tfjs WASM', 'wasm'),
  rnnportEngine('rnnport-reference', 'rnnport reference', "rnnport's reference engine (plain JS)", { engine: 'reference' }),
  rnnportEngine('rnnport-wasm', 'rnnport WASM', "rnnport's fast engine, WebAssembly SIMD kernels", { engine: 'fast', simd: 'plain' }),
  rnnportEngine('rnnport-relaxed', 'rnnport WASM relaxed', "rnnport's fast engine, relaxed-SIMD kernels (fused multiply-add)", { engine: 'fast', simd: 'relaxed' }),
];
