/**
 * rnnport tensors in and out of onnxruntime-node: one session per model, feeds by graph input
 * name, results by graph output name.
 */
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../dist/index.js';

/** Runs `model` once on `feeds` (graph input name → tensor) in onnxruntime-node, one thread. */
export async function runModel(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape);
    const results = await session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, r] of Object.entries(results)) out[name] = new Tensor(r.type as 'float32', r.dims, r.data as Float32Array);
    return out;
  } finally {
    await session.release();
  }
}
