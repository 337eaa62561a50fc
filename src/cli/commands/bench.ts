/**
 * `rnnport bench`: times the forward pass in-process (loading, parsing and file I/O excluded),
 * `--warmup` untimed runs then `--repeat` timed ones. `--stream` feeds the input one time step
 * at a time through `module.stream({ batch })` and times all T steps together.
 *
 * `--engine onnxruntime` runs the module through the project's own onnxruntime-node instead
 * (rnnport/onnx `onnxModule`, one thread).
 *
 * `--json` prints one line, a contract outside benchmark checks rely on (docs/cli.md):
 *   {"schema":1,"median_ms":…,"min_ms":…,"max_ms":…,"repeat":…,"engine":…,"simd":"relaxed"|"plain"|"none","v8_flags":[…]}
 * `engine` and `simd` say what actually ran, asked of the module; `v8_flags` the flags the CLI set
 * for its process (`--experimental-wasm-relaxed-simd` on Node 20, src/cli/v8-flags.ts).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail } from '../../errors.js';
import { packPaddedSequence, padPackedSequence, RNNBase, type PackedSequence, type StreamState } from '../../modules/index.js';
import { onnxModule, type OrtLike } from '../../onnx.js';
import { tensor, type Tensor } from '../../tensor.js';
import { prepareRun, runPrepared, type PreparedRun } from '../forward.js';
import type { ExitCode, Io } from '../io.js';
import type { BenchCommand } from '../parse.js';
import { jsonLine } from '../render/json.js';
import { table } from '../render/text.js';

/** x (T, B, I) / (B, T, I) / (T, I) → one input per time step, (B, I) or (I), made before timing. */
function stepsOf(p: PreparedRun, batchFirst: boolean): Tensor[] {
  const x = p.input;
  const data = x.data as Float32Array | Float64Array;
  if (x.ndim === 2) {
    const [T, I] = x.shape as [number, number];
    return Array.from({ length: T }, (_, t) => tensor(data.slice(t * I, (t + 1) * I), [I]));
  }
  const [d0, d1, I] = x.shape as [number, number, number];
  const [T, B] = batchFirst ? [d1, d0] : [d0, d1];
  return Array.from({ length: T }, (_, t) => {
    const rows = data.slice(0, B * I);
    for (let b = 0; b < B; b++) {
      const from = (batchFirst ? b * T + t : t * B + b) * I;
      rows.set(data.subarray(from, from + I), b * I);
    }
    return tensor(rows, [B, I]);
  });
}

/** Feeds the input one step at a time; --h0 / --c0 become the stream's state (unbatched: batch 1). */
function streamRunner(p: PreparedRun): { run: () => void; dispose: () => void } {
  const { module } = p;
  if (p.lengths !== undefined) throw fail('E_BAD_OPTION', { what: '--stream', expected: 'no --lengths (a stream feeds whole steps)', got: '--lengths' });
  if (!(module instanceof RNNBase)) throw fail('E_BAD_OPTION', { what: '--stream', expected: 'nn.RNN / nn.GRU / nn.LSTM (a cell is one step already)', got: `nn.${module.kind}` });
  const batch = p.input.ndim === 2 ? 1 : (p.input.shape[module.batchFirst ? 0 : 1] as number);
  const stream = module.stream({ batch });
  const asBatched = (t: Tensor): Tensor => (t.ndim === 2 ? t.reshape([t.shape[0] as number, 1, t.shape[1] as number]) : t);
  const { h0, c0 } = p;
  const state: StreamState | undefined = h0 === undefined ? undefined : c0 === undefined ? asBatched(h0) : [asBatched(h0), asBatched(c0)];
  const steps = stepsOf(p, module.batchFirst);
  return {
    run: () => {
      if (state === undefined) stream.reset();
      else stream.state = state;
      for (const x of steps) stream.step(x);
    },
    dispose: () => stream.dispose(),
  };
}

/**
 * `--engine onnxruntime`: the module through the onnxruntime-node that the current project has
 * installed (never a dependency of rnnport), one thread, via rnnport/onnx's `onnxModule`.
 */
async function onnxRunner(p: PreparedRun, cmd: BenchCommand, io: Io): Promise<{ run: () => Promise<void>; dispose: () => Promise<void> }> {
  let ort: OrtLike;
  try {
    const resolved = createRequire(join(io.cwd, 'package.json')).resolve('onnxruntime-node');
    ort = (await import(pathToFileURL(resolved).href)) as OrtLike;
  } catch {
    throw fail('E_BAD_OPTION', { what: '--engine onnxruntime', expected: 'onnxruntime-node installed in this project (npm install onnxruntime-node)', got: 'no onnxruntime-node found', at: io.cwd });
  }
  const m = await onnxModule(p.module, ort, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const hx = p.h0 === undefined ? undefined : p.c0 === undefined ? p.h0 : ([p.h0, p.c0] as const);
  const batchFirst = p.module instanceof RNNBase && p.module.batchFirst;
  if (!cmd.stream) {
    const T = p.input.shape[batchFirst ? 1 : 0] as number;
    return {
      run: async () => {
        if (p.lengths === undefined) await m.forward(p.input, hx);
        else padPackedSequence((await m.forward(packPaddedSequence(p.input, p.lengths, { batchFirst, enforceSorted: false }), hx)).output as PackedSequence, { batchFirst, totalLength: T });
      },
      dispose: () => m.dispose(),
    };
  }
  if (p.lengths !== undefined || !(p.module instanceof RNNBase)) throw fail('E_BAD_OPTION', { what: '--stream', expected: 'nn.RNN / nn.GRU / nn.LSTM without --lengths', got: p.lengths !== undefined ? '--lengths' : `nn.${p.module.kind}` });
  // one step per call, the state carried: each step is a sequence of length 1
  const steps = stepsOf(p, batchFirst).map((x) => x.reshape(x.ndim === 1 ? [1, x.shape[0] as number] : [1, ...x.shape]));
  const state = (r: { hN: Tensor; cN?: Tensor }): typeof hx => (r.cN === undefined ? r.hN : ([r.hN, r.cN] as const));
  return {
    run: async () => {
      let h = hx;
      for (const x of steps) h = state(await m.forward(batchFirst ? x.reshape([x.shape[1] as number, 1, ...x.shape.slice(2)]) : x, h));
    },
    dispose: () => m.dispose(),
  };
}

export async function bench(cmd: BenchCommand, io: Io): Promise<ExitCode> {
  const viaOnnx = cmd.engine === 'onnxruntime';
  if (viaOnnx && cmd.simd !== 'auto') throw fail('E_BAD_OPTION', { what: '--simd', expected: 'only with --engine auto or fast', got: `--simd ${cmd.simd}` });
  const p = prepareRun(io, { ...cmd, engine: cmd.engine === 'onnxruntime' ? 'reference' : cmd.engine });
  const runner = viaOnnx ? await onnxRunner(p, cmd, io) : cmd.stream ? streamRunner(p) : { run: (): void => void runPrepared(p), dispose: (): void => undefined };
  for (let i = 0; i < cmd.warmup; i++) await runner.run();
  const times: number[] = [];
  for (let i = 0; i < cmd.repeat; i++) {
    const start = performance.now();
    await runner.run();
    times.push(performance.now() - start);
  }
  const { engine, simd } = viaOnnx ? { engine: 'onnxruntime', simd: 'none' } : p.module;
  await runner.dispose();
  p.module.dispose();
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const result = {
    median_ms: median,
    min_ms: sorted[0] as number,
    max_ms: sorted[sorted.length - 1] as number,
    repeat: cmd.repeat,
    engine,
    simd,
    v8_flags: io.versions.v8Flags,
  };
  if (cmd.json) {
    io.stdout.write(jsonLine(result));
    return 0;
  }
  const ms = (v: number): string => `${v.toFixed(3)} ms`;
  io.stdout.write(
    `${table([
      ['median', ms(result.median_ms)],
      ['min', ms(result.min_ms)],
      ['max', ms(result.max_ms)],
      ['repeat', `${cmd.repeat} (after ${cmd.warmup} warm-up)`],
      ['engine', `${engine}${result.simd === 'none' ? '' : `, ${result.simd} SIMD`}`],
      ['mode', cmd.stream ? 'stream: one time step per call, all steps timed together' : 'forward'],
    ], '')}\n`,
  );
  return 0;
}
