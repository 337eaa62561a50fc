import { describe, expect, it } from 'vitest';
import { isRnnportError } from '../../../src/errors.js';
import { formatConstructor } from '../../../src/config.js';
import { explainFacts, formatEquality, resolveConfig, type ExplainConfig } from '../../../src/explain/facts.js';
import { factHolds, sliceValues } from '../../../src/explain/slice.js';
import { Tensor } from '../../../src/tensor.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isRnnportError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('explainFacts: shapes', () => {
  it('bidirectional 2-layer LSTM with projection', () => {
    const f = explainFacts({ mode: 'LSTM', inputSize: 3, hiddenSize: 8, numLayers: 2, bidirectional: true, projSize: 4, seqLen: 6, batch: 2 });
    const shapes = Object.fromEntries(f.shapes.map((s) => [s.name, s.shape]));
    expect(shapes).toEqual({
      input: [6, 2, 3],
      h_0: [4, 2, 4],
      c_0: [4, 2, 8],
      output: [6, 2, 8],
      h_n: [4, 2, 4],
      c_n: [4, 2, 8],
    });
    expect(f.hNView).toEqual([2, 2, 2, 4]);
    expect(f.module).toBe('nn.LSTM(3, 8, num_layers=2, bidirectional=True, proj_size=4)');
  });

  it('batch_first swaps input and output only; GRU has no c', () => {
    const f = explainFacts({ mode: 'GRU', hiddenSize: 5, seqLen: 4, batch: 3, batchFirst: true });
    const shapes = Object.fromEntries(f.shapes.map((s) => [s.name, s.shape]));
    expect(shapes).toEqual({ input: [3, 4, 5], h_0: [1, 3, 5], output: [3, 4, 5], h_n: [1, 3, 5] });
  });

  it('defaults: T = max(lengths), B = len(lengths)', () => {
    expect(resolveConfig({ mode: 'RNN', hiddenSize: 2, lengths: [4, 1, 3] })).toMatchObject({ seqLen: 4, batch: 3, lengths: [4, 1, 3] });
    expect(resolveConfig({ mode: 'RNN', hiddenSize: 2 })).toMatchObject({ seqLen: 5, batch: 2, lengths: null, inputSize: 2 });
  });
});

describe('explainFacts: equalities (docs/semantics.md, "Shapes")', () => {
  const eqs = (config: ExplainConfig): string[] => explainFacts(config).equalities.map(formatEquality);

  it('one direction: output[-1] == h_n[-1]', () => {
    expect(eqs({ mode: 'GRU', hiddenSize: 4 })).toEqual(['output[-1] == h_n[-1]']);
  });

  it('bidirectional: the forward row is h_n[-2], the reverse one is taken at t = 0', () => {
    expect(eqs({ mode: 'LSTM', hiddenSize: 4, numLayers: 2, bidirectional: true })).toEqual([
      'output[-1, :, :4] == h_n[-2]',
      'output[0, :, 4:] == h_n[-1]',
      'output[-1, :, 4:] != h_n[-1]',
      'output[-1, :, :4] != h_n[0]',
    ]);
  });

  it('batch_first indexes output as [b, t]', () => {
    expect(eqs({ mode: 'GRU', hiddenSize: 3, bidirectional: true, batchFirst: true }).slice(0, 2)).toEqual([
      'output[:, -1, :3] == h_n[-2]',
      'output[:, 0, 3:] == h_n[-1]',
    ]);
  });

  it('packed: each sequence ends at its own length; padding is zero', () => {
    expect(eqs({ mode: 'RNN', hiddenSize: 2, lengths: [3, 1] })).toEqual([
      'output[2, 0] == h_n[-1, 0]',
      'output[0, 1] == h_n[-1, 1]',
      'output[1:, 1] == 0',
      'output[-1, 1] != h_n[-1, 1]',
    ]);
    const f = explainFacts({ mode: 'RNN', hiddenSize: 2, bidirectional: true, lengths: [3, 1] });
    expect(f.states.map((s) => s.takenAt)).toEqual([
      [2, 0],
      [0, 0],
    ]);
  });
});

describe('resolveConfig rejects what PyTorch rejects', () => {
  it.each<[ExplainConfig, string]>([
    [{ mode: 'GRU', hiddenSize: 4, projSize: 2 }, 'E_BAD_OPTION'],
    [{ mode: 'LSTM', hiddenSize: 4, projSize: 4 }, 'E_BAD_OPTION'],
    [{ mode: 'LSTM', hiddenSize: 0 }, 'E_BAD_OPTION'],
    [{ mode: 'LSTM', hiddenSize: 4, numLayers: 1.5 }, 'E_BAD_OPTION'],
    [{ mode: 'LSTM', hiddenSize: 4, lengths: [] }, 'E_LENGTHS'],
    [{ mode: 'LSTM', hiddenSize: 4, lengths: [3, 2], batch: 3 }, 'E_LENGTHS'],
    [{ mode: 'LSTM', hiddenSize: 4, lengths: [6, 2], seqLen: 5 }, 'E_LENGTHS'],
    [{ mode: 'LSTM', hiddenSize: 4, lengths: [0] }, 'E_LENGTHS'],
  ])('%j → %s', (config, code) => {
    expect(codeOf(() => resolveConfig(config))).toBe(code);
  });
});

describe('formatConstructor', () => {
  it('leaves defaults out, as a user writes it', () => {
    expect(formatConstructor({ kind: 'GRU', inputSize: 10, hiddenSize: 20 })).toBe('nn.GRU(10, 20)');
    expect(formatConstructor({ kind: 'LSTM', inputSize: 128, hiddenSize: 256, numLayers: 2, bidirectional: true, projSize: 64 })).toBe(
      'nn.LSTM(128, 256, num_layers=2, bidirectional=True, proj_size=64)',
    );
    expect(formatConstructor({ kind: 'RNNCell', inputSize: 3, hiddenSize: 4, bias: false })).toBe('nn.RNNCell(3, 4, bias=False)');
  });
});

describe('slices', () => {
  // t[i, j, k] = 100 i + 10 j + k, shape (3, 2, 4)
  const data = Float32Array.from({ length: 24 }, (_, n) => 100 * Math.floor(n / 8) + 10 * (Math.floor(n / 4) % 2) + (n % 4));
  const t = new Tensor('float32', [3, 2, 4], data);

  it('picks, ranges, negatives and trailing dims as PyTorch', () => {
    expect(sliceValues(t, [-1, 1])).toEqual([210, 211, 212, 213]);
    expect(sliceValues(t, [0, null, { start: null, stop: 2 }])).toEqual([0, 1, 10, 11]);
    expect(sliceValues(t, [{ start: 2, stop: null }, 0, { start: -1, stop: null }])).toEqual([203]);
  });

  it('== needs bitwise-equal values, != at least one difference', () => {
    const h = new Tensor('float32', [1, 2, 4], data.slice(16));
    const tensors = { output: t, h_n: h, c_n: null };
    const fact = { lhs: { tensor: 'output' as const, index: [-1] }, rhs: { tensor: 'h_n' as const, index: [-1] }, why: '' };
    expect(factHolds({ ...fact, equal: true }, tensors)).toBe(true);
    expect(factHolds({ ...fact, equal: false }, tensors)).toBe(false);
    expect(factHolds({ lhs: { tensor: 'output', index: [0, 0, 0] }, rhs: { value: 0 }, equal: true, why: '' }, tensors)).toBe(true);
  });
});
