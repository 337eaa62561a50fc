/**
 * The packed graph (toOnnx `packed: true`) in onnxruntime-node: input values past a sequence's
 * length do not affect any result — NaN there still gives pad_packed_sequence of the packed run
 * (reference engine), with both lowerings.
 */
import { expect, it } from 'vitest';
import { compareTensors, LSTM, packPaddedSequence, padPackedSequence, Tensor } from '../../dist/index.js';
import { toOnnx } from '../../dist/onnx.js';
import { runModel } from '../lib/ort-node.js';
import { mulberry32, randomStateDict, randomTensor } from '../lib/random-module.js';

it.each(['native', 'scan'] as const)('NaN past each length changes nothing (lowering %s)', async (lowering) => {
  const [T, B, I] = [5, 3, 3];
  const lengths = [2, 5, 3];
  const sd = randomStateDict({ kind: 'LSTM', inputSize: I, hiddenSize: 4, bidirectional: true, numLayers: 2 }, 3);
  const x = randomTensor([T, B, I], mulberry32(2));
  const poisoned = Float32Array.from(x.data as Float32Array);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= lengths[b]!) poisoned.fill(NaN, (t * B + b) * I, (t * B + b + 1) * I);
  const got = await runModel(toOnnx(sd, { packed: true, lowering }), {
    input: new Tensor('float32', [T, B, I], poisoned),
    lengths: new Tensor('int64', [B], BigInt64Array.from(lengths, BigInt)),
  });
  const module = LSTM.fromStateDict(sd, { engine: 'reference' });
  const want = module.forward(packPaddedSequence(x, lengths, { enforceSorted: false }));
  const [output] = padPackedSequence(want.output, { totalLength: T });
  const tol = { atol: 1e-5, rtol: 1e-4 };
  for (const [name, expected] of [['output', output], ['h_n', want.hN], ['c_n', want.cN]] as const) {
    const r = compareTensors(got[name]!, expected, tol);
    expect(r.ok, `${name}: ${JSON.stringify(r.worst)}`).toBe(true);
  }
});
