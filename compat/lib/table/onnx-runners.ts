/**
 * ONNX models as implementations of `rnnport run`'s contract: a model source (rnnport's toOnnx, or
 * PyTorch's torch.onnx.export prepared ahead) and a runner (onnxruntime-node, or onnxruntime-web
 * in Chromium). Graph inputs `input`, `h0`, `c0`, `lengths` (int64); outputs `output`, `h_n`,
 * `c_n` — the names both exporters are given.
 */
import { isRnnportError, Tensor, unsupported, type Implementation, type RunRequest } from '../../../dist/index.js';
import { toOnnx } from '../../../dist/onnx.js';
import { runModel } from '../ort-node.js';

/** Runs one model once: feeds and outputs by graph name. */
export interface ModelRunner {
  /** Where it runs, for the table's versions (e.g. the browser's version). */
  readonly detail: string;
  run(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

/** onnxruntime-node, one thread per session. */
export const ortNode: ModelRunner = { detail: `Node ${process.versions.node}`, run: runModel, close: async () => {} };

/** A model for one request, and the graph inputs it takes (undefined: every feed). */
export interface ModelFor {
  readonly model: Uint8Array;
  readonly inputs?: readonly string[];
}

/** The feeds of a request by graph input name: floats in the compute dtype, lengths as int64. */
export function feedsOf(r: RunRequest): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = { input: r.input.to(r.dtype) };
  if (r.h0 !== undefined) feeds['h0'] = r.h0.to(r.dtype);
  if (r.c0 !== undefined) feeds['c0'] = r.c0.to(r.dtype);
  if (r.lengths !== undefined) feeds['lengths'] = new Tensor('int64', r.lengths.shape, BigInt64Array.from(r.lengths.data as ArrayLike<number | bigint>, BigInt));
  return feeds;
}

/** The implementation that gets a model from `source` and runs it with `runner`. */
export function onnxImplementation(runner: ModelRunner, source: (r: RunRequest) => ModelFor | Promise<ModelFor>): Implementation {
  return async (r) => {
    const { model, inputs } = await source(r);
    const all = feedsOf(r);
    const feeds = inputs === undefined ? all : Object.fromEntries(Object.entries(all).filter(([k]) => inputs.includes(k)));
    const out = await runner.run(model, feeds);
    const { output, h_n: hN, c_n: cN } = out;
    if (output === undefined || hN === undefined) throw new Error(`the model returned ${Object.keys(out).join(', ') || 'nothing'}, not output and h_n`);
    return cN === undefined ? { output, hN } : { output, hN, cN };
  };
}

/** rnnport's export (`rnnport export`'s toOnnx) of the request's module, with its settings. */
export function rnnportExport(cell: boolean): (r: RunRequest) => ModelFor {
  return (r) => {
    try {
      const model = toOnnx(r.weights, {
        prefix: r.prefix,
        dtype: r.dtype,
        state: r.h0 !== undefined,
        packed: r.lengths !== undefined,
        unbatched: r.input.ndim === (cell ? 1 : 2),
        ...(!cell && { batchFirst: r.batchFirst }),
        ...(r.nonlinearity !== undefined && { nonlinearity: r.nonlinearity }),
      });
      return { model };
    } catch (e) {
      if (isRnnportError(e) && e.code === 'E_EXPORT_UNSUPPORTED') throw unsupported(`rnnport export: ${e.message}`);
      throw e;
    }
  };
}
