/**
 * onnxModule in onnxruntime-node against the module's own forward (reference engine) on seeded
 * random weights: every mode, layers, bidirectional, bias=False, proj_size, float64, cells;
 * dense, batch-first, unbatched, with and without hx, and PackedSequence in → PackedSequence out
 * with unsorted and sorted lengths. Plus the rejections, each with its code.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTensors, isRnnportError, packPaddedSequence, PackedSequence, Tensor, type RecurrentModule } from '../../dist/index.js';
import { onnxModule, type OnnxModule } from '../../dist/onnx.js';
import { mulberry32, randomModule, randomTensor, type Config } from '../lib/random-module.js';

type Hx = Tensor | readonly [Tensor, Tensor];
type Forward = (input: Tensor | PackedSequence, hx?: Hx) => { output: Tensor | PackedSequence; hN: Tensor; cN?: Tensor };

const CONFIGS: readonly Config[] = [
  { kind: 'RNN', inputSize: 3, hiddenSize: 5 },
  { kind: 'RNN', inputSize: 3, hiddenSize: 5, nonlinearity: 'relu', numLayers: 2, bidirectional: true },
  { kind: 'GRU', inputSize: 4, hiddenSize: 6, numLayers: 3, bidirectional: true },
  { kind: 'GRU', inputSize: 4, hiddenSize: 6, bias: false, batchFirst: true },
  { kind: 'LSTM', inputSize: 4, hiddenSize: 6, numLayers: 2 },
  { kind: 'LSTM', inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true },
  { kind: 'LSTM', inputSize: 4, hiddenSize: 6, projSize: 3, numLayers: 2, bidirectional: true },
  { kind: 'GRU', inputSize: 3, hiddenSize: 5, bidirectional: true, dtype: 'float64' },
  { kind: 'LSTM', inputSize: 3, hiddenSize: 5, projSize: 2, dtype: 'float64' },
  { kind: 'RNNCell', inputSize: 3, hiddenSize: 5 },
  { kind: 'GRUCell', inputSize: 3, hiddenSize: 5, bias: false },
  { kind: 'LSTMCell', inputSize: 3, hiddenSize: 5 },
  { kind: 'LSTMCell', inputSize: 3, hiddenSize: 5, dtype: 'float64' },
];

const opened: OnnxModule[] = [];
afterAll(async () => {
  for (const m of opened) await m.dispose();
});

function expectClose(got: Tensor, expected: Tensor, what: string): void {
  const tol = got.dtype === 'float64' ? { atol: 1e-10, rtol: 1e-8 } : { atol: 1e-5, rtol: 1e-4 };
  const r = compareTensors(got, expected, tol);
  expect(r.ok, `${what}: ${JSON.stringify(r.worst)} shapes ${got.shape} vs ${expected.shape}`).toBe(true);
}

function name(c: Config): string {
  return Object.entries(c).map(([k, v]) => (k === 'kind' ? v : `${k}=${v}`)).join(' ');
}

describe.each(CONFIGS.map((c) => [name(c), c] as const))('onnxModule(%s)', (_, c) => {
  const cell = c.kind.endsWith('Cell');
  const lstm = c.kind.startsWith('LSTM');
  const dtype = c.dtype ?? 'float32';
  const rand = mulberry32(7);
  const module = randomModule(c, 11);
  const forward = (module.forward as unknown as Forward).bind(module);
  const D = c.bidirectional === true ? 2 : 1;
  const LD = (c.numLayers ?? 1) * D;
  const Hout = (c.projSize ?? 0) > 0 ? (c.projSize as number) : c.hiddenSize;
  const state = (B: number | null): Hx => {
    const lead = cell ? [] : [LD];
    const b = B === null ? [] : [B];
    const h = randomTensor([...lead, ...b, Hout], rand, dtype);
    return lstm ? [h, randomTensor([...lead, ...b, c.hiddenSize], rand, dtype)] : h;
  };
  let adapter: OnnxModule;
  const compare = async (input: Tensor | PackedSequence, hx?: Hx): Promise<void> => {
    const want = forward(input, hx);
    const got = await adapter.forward(input as Tensor, hx);
    if (input instanceof PackedSequence) {
      const out = got.output as unknown as PackedSequence;
      expect(out).toBeInstanceOf(PackedSequence);
      const ref = want.output as PackedSequence;
      expect(Array.from(out.batchSizes)).toEqual(Array.from(ref.batchSizes));
      expect(out.sortedIndices === null ? null : Array.from(out.sortedIndices)).toEqual(ref.sortedIndices === null ? null : Array.from(ref.sortedIndices));
      expectClose(out.data, ref.data, 'output.data');
    } else {
      expectClose(got.output, cell ? want.hN : (want.output as Tensor), 'output');
    }
    expectClose(got.hN, want.hN, 'h_n');
    if (lstm) expectClose(got.cN as Tensor, want.cN as Tensor, 'c_n');
  };

  it('opens one session with the requested threads', async () => {
    adapter = await onnxModule(module as RecurrentModule, ort, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    opened.push(adapter);
    expect(adapter.dtype).toBe(dtype);
    expect(adapter.className).toBe(c.kind);
  });

  it('matches forward on batched input, with and without hx', async () => {
    const shape = cell ? [3, c.inputSize] : c.batchFirst === true ? [3, 5, c.inputSize] : [5, 3, c.inputSize];
    const x = randomTensor(shape, rand, dtype);
    await compare(x);
    await compare(x, state(3));
  });

  it('matches forward on a batch of 0 (answered without ONNX Runtime, whose LSTM / GRU kernels abort on it)', async () => {
    const shape = cell ? [0, c.inputSize] : c.batchFirst === true ? [0, 5, c.inputSize] : [5, 0, c.inputSize];
    await compare(randomTensor(shape, rand, dtype));
  });

  it('matches forward on unbatched input', async () => {
    const x = randomTensor(cell ? [c.inputSize] : [4, c.inputSize], rand, dtype);
    await compare(x);
    await compare(x, state(null));
  });

  it.skipIf(cell)('matches forward on packed sequences, unsorted and sorted lengths', async () => {
    for (const [lengths, enforceSorted] of [[[3, 5, 1, 4], false], [[5, 4, 4, 2], true]] as const) {
      const x = randomTensor([5, 4, c.inputSize], rand, dtype);
      const packed = packPaddedSequence(x, lengths, { enforceSorted });
      await compare(packed);
      await compare(packed, state(4));
    }
  });

  it('rejects what the module rejects, with its codes', async () => {
    const code = async (f: () => Promise<unknown>): Promise<string> => {
      try {
        await f();
        return 'none';
      } catch (e) {
        return isRnnportError(e) ? e.code : String(e);
      }
    };
    const good = cell ? [2, c.inputSize] : [4, 2, c.inputSize];
    const other = dtype === 'float32' ? 'float64' : 'float32';
    expect(await code(() => adapter.forward(randomTensor(good, rand, other)))).toBe('E_INPUT_DTYPE');
    expect(await code(() => adapter.forward(randomTensor([...good.slice(0, -1), c.inputSize + 1], rand, dtype)))).toBe('E_INPUT_SIZE');
    expect(await code(() => adapter.forward(randomTensor([1, ...good], rand, dtype)))).toBe('E_INPUT_RANK');
    const wrong = randomTensor(cell ? [3, Hout] : [LD, 3, Hout], rand, dtype);
    expect(await code(() => adapter.forward(randomTensor(good, rand, dtype), lstm ? [wrong, wrong] : wrong))).toBe('E_HIDDEN_SHAPE');
  });
});

describe('onnxModule lifetime', () => {
  it('is E_DISPOSED after dispose()', async () => {
    const m = await onnxModule(randomModule({ kind: 'GRU', inputSize: 2, hiddenSize: 3 }, 1), ort);
    await m.dispose();
    await expect(m.forward(randomTensor([2, 1, 2], mulberry32(1)))).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });

  it('refuses an object that is not an ONNX Runtime module', async () => {
    const module = randomModule({ kind: 'GRU', inputSize: 2, hiddenSize: 3 }, 1);
    await expect(onnxModule(module, {} as typeof ort)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
  });
});
