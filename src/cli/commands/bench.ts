/**
 * `rnnport bench`: times the forward pass in-process (loading, parsing and file I/O excluded),
 * `--warmup` untimed runs then `--repeat` timed ones. `--stream` feeds the input one time step
 * at a time through `module.stream({ batch })` and times all T steps together.
 *
 * `--json` prints one line, a contract outside benchmark checks rely on (docs/cli.md):
 *   {"schema":1,"median_ms":…,"min_ms":…,"max_ms":…,"repeat":…,"engine":…,"simd":"relaxed"|"plain"|"none","v8_flags":[…]}
 * `engine` and `simd` say what actually ran, asked of the module; `v8_flags` the flags the CLI set
 * for its process (`--experimental-wasm-relaxed-simd` on Node 20, src/cli/v8-flags.ts).
 */
import { fail } from '../../errors.js';
import { RNNBase, type StreamState } from '../../modules/index.js';
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

export async function bench(cmd: BenchCommand, io: Io): Promise<ExitCode> {
  const p = prepareRun(io, cmd);
  const streaming = cmd.stream ? streamRunner(p) : null;
  const once = streaming?.run ?? ((): void => void runPrepared(p));
  for (let i = 0; i < cmd.warmup; i++) once();
  const times: number[] = [];
  for (let i = 0; i < cmd.repeat; i++) {
    const start = performance.now();
    once();
    times.push(performance.now() - start);
  }
  const { engine, simd } = p.module;
  streaming?.dispose();
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
