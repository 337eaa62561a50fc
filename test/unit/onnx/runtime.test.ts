/**
 * onnxModule's contract with the ONNX Runtime object it is given, with a recording stand-in (the
 * numbers against real onnxruntime-node / -web are compat/'s): one session per graph variant,
 * the thread options passed through, feeds named and shaped as the graph declares (unbatched
 * input as a batch of one, zeros for an absent state), a batch of 0 answered without a run, and
 * dispose releasing every session.
 */
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, packPaddedSequence, tensor } from '../../../src/index.js';
import { onnxModule, type OrtLike, type OrtTensorLike } from '../../../src/onnx.js';
import * as random from '../../../src/random.js';
import { checkerStateDict } from '../../../scripts/onnx_checker_cases.mjs';

interface Call {
  readonly feeds: Record<string, { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> }>;
}

/** A stand-in for the onnxruntime module: records sessions and runs, answers zeros of the graph's output shapes. */
function fakeOrt(shapes: (feeds: Call['feeds']) => Record<string, number[]>) {
  const log = { created: [] as Record<string, unknown>[], runs: [] as Call[], released: 0 };
  class FakeTensor {
    constructor(
      readonly type: string,
      readonly data: Float32Array | Float64Array | BigInt64Array,
      readonly dims: readonly number[],
    ) {}
  }
  const ort = {
    Tensor: FakeTensor,
    InferenceSession: {
      async create(model: Uint8Array, options?: Record<string, unknown>) {
        expect(model).toBeInstanceOf(Uint8Array);
        log.created.push(options ?? {});
        return {
          async run(feeds: Record<string, OrtTensorLike>) {
            const call = { feeds: feeds as unknown as Call['feeds'] };
            log.runs.push(call);
            const out: Record<string, OrtTensorLike> = {};
            for (const [name, dims] of Object.entries(shapes(call.feeds))) out[name] = { dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
            return out;
          },
          async release() {
            log.released++;
          },
        };
      },
    },
  };
  return { ort: ort as unknown as OrtLike, log };
}

const gruSd = checkerStateDict({ kind: 'GRU', inputSize: 3, hiddenSize: 4, bidirectional: true }, random).sd;

describe('onnxModule with an ONNX Runtime stand-in', () => {
  it('creates the dense session once with the thread options, feeds zeros for an absent h0, runs unbatched input as a batch of one', async () => {
    const { ort, log } = fakeOrt((f) => ({ output: [f['input']!.dims[0]!, f['input']!.dims[1]!, 8], h_n: [2, f['input']!.dims[1]!, 4] }));
    const m = await onnxModule(GRU.fromStateDict(gruSd, { engine: 'reference' }), ort, { intraOpNumThreads: 1, interOpNumThreads: 2 });
    expect(log.created).toEqual([{ intraOpNumThreads: 1, interOpNumThreads: 2 }]);
    const r = await m.forward(tensor(new Float32Array(5 * 3), [5, 3]));
    expect(log.runs[0]!.feeds['input']!.dims).toEqual([5, 1, 3]);
    expect(log.runs[0]!.feeds['h0']!.dims).toEqual([2, 1, 4]);
    expect(Array.from(log.runs[0]!.feeds['h0']!.data as Float32Array)).toEqual(new Array(8).fill(0));
    expect(r.output.shape).toEqual([5, 8]);
    expect(r.hN.shape).toEqual([2, 4]);
    await m.forward(tensor(new Float32Array(5 * 2 * 3), [5, 2, 3]));
    expect(log.created).toHaveLength(1);
  });

  it('opens the packed session on the first PackedSequence only, feeding int64 lengths in the batch order', async () => {
    const { ort, log } = fakeOrt((f) => ({ output: [...f['input']!.dims.slice(0, 2), 8], h_n: [2, f['input']!.dims[1]!, 4] }));
    const m = await onnxModule(GRU.fromStateDict(gruSd, { engine: 'reference' }), ort);
    const packed = packPaddedSequence(tensor(new Float32Array(4 * 3 * 3), [4, 3, 3]), [2, 4, 1], { enforceSorted: false });
    const r = await m.forward(packed);
    await m.forward(packed);
    expect(log.created).toHaveLength(2);
    expect(log.runs[0]!.feeds['lengths']).toMatchObject({ type: 'int64', dims: [3] });
    expect(Array.from(log.runs[0]!.feeds['lengths']!.data as BigInt64Array)).toEqual([2n, 4n, 1n]);
    expect(Array.from(r.output.batchSizes)).toEqual(Array.from(packed.batchSizes));
    expect(r.output.data.shape).toEqual([7, 8]);
    await m.dispose();
    expect(log.released).toBe(2);
  });

  it('answers a batch of 0 with empty tensors and no run', async () => {
    const sd = checkerStateDict({ kind: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 2 }, random).sd;
    const { ort, log } = fakeOrt(() => ({}));
    const m = await onnxModule(LSTM.fromStateDict(sd, { engine: 'reference', batchFirst: true }), ort);
    const r = await m.forward(tensor(new Float32Array(0), [0, 5, 3]));
    expect(log.runs).toHaveLength(0);
    expect([r.output.shape, r.hN.shape, r.cN?.shape]).toEqual([[0, 5, 4], [2, 0, 4], [2, 0, 4]]);
  });
});
