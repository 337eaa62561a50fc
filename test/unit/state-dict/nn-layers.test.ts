// Discovery of the layers around the recurrent module from names and shapes, and the rule that
// only recurrent modules count when "the module" is chosen.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src/dtype.js';
import { fromStateDict } from '../../../src/modules/from-state-dict.js';
import { listModules } from '../../../src/state-dict/infer.js';
import { formatLayer, layerRows, listLayers } from '../../../src/state-dict/layers.js';
import { resolveModule } from '../../../src/state-dict/select.js';
import { Tensor } from '../../../src/tensor.js';
import { pattern, weightsFor } from '../modules/helpers.js';

const info = (shape: number[], dtype: DType = 'float32') => ({ dtype, shape });

/** The classifier of examples/node: embedding → bidirectional LSTM → LayerNorm → Linear, plus things that are not layers. */
const classifier = new Map<string, { dtype: DType; shape: readonly number[] }>([
  ['embedding.weight', info([40, 8])],
  ['rnn.weight_ih_l0', info([48, 8])],
  ['rnn.weight_hh_l0', info([48, 12])],
  ['rnn.weight_ih_l0_reverse', info([48, 8])],
  ['rnn.weight_hh_l0_reverse', info([48, 12])],
  ['norm.weight', info([24])],
  ['norm.bias', info([24])],
  ['head.weight', info([5, 24])],
  ['head.bias', info([5])],
  ['proj.weight', info([7, 24])],
  ['ln2d.weight', info([4, 6])],
  ['ln2d.bias', info([4, 6])],
  ['rms.weight', info([16])],
  ['bn.weight', info([8])],
  ['bn.bias', info([8])],
  ['bn.running_mean', info([8])],
  ['bn.running_var', info([8])],
  ['bn.num_batches_tracked', info([], 'int64')],
  ['conv.weight', info([4, 2, 3])],
  ['conv2.weight', info([4, 2, 3])],
  ['conv2.bias', info([4])],
  ['wn.weight_g', info([5, 1])],
  ['wn.weight_v', info([5, 3])],
  ['wn.weight', info([5, 3])],
  ['orphan.bias', info([3])],
  ['codes.weight', info([3, 4], 'int64')],
  ['odd.weight', info([3, 4])],
  ['odd.bias', info([4])],
]);

describe('listLayers', () => {
  it('reads Linear, LayerNorm and "Embedding or bias-free Linear" from shapes; skips what no layer has', () => {
    const found = listLayers(classifier);
    expect(found.map((l) => [l.prefix, l.candidates.map((c) => c.kind).join(' | ')])).toEqual([
      ['embedding.', 'Embedding | Linear'],
      ['norm.', 'LayerNorm'],
      ['head.', 'Linear'],
      ['proj.', 'Embedding | Linear'],
      ['ln2d.', 'LayerNorm'],
      ['rms.', 'LayerNorm'],
    ]);
    expect(found[0]?.candidates).toEqual([
      { kind: 'Embedding', config: { numEmbeddings: 40, embeddingDim: 8 } },
      { kind: 'Linear', config: { inFeatures: 8, outFeatures: 40, bias: false } },
    ]);
    expect(found[2]).toEqual({ prefix: 'head.', candidates: [{ kind: 'Linear', config: { inFeatures: 24, outFeatures: 5, bias: true } }], parameters: ['head.weight', 'head.bias'] });
    expect(found[5]?.candidates).toEqual([{ kind: 'LayerNorm', config: { normalizedShape: [16], elementwiseAffine: true, bias: false } }]);
  });

  it('gives inspect its rows: kind, prefix and the PyTorch constructors', () => {
    expect(layerRows(classifier)).toEqual([
      { kind: 'Embedding | Linear', prefix: 'embedding.', pytorch: 'nn.Embedding(40, 8) | nn.Linear(8, 40, bias=False)' },
      { kind: 'LayerNorm', prefix: 'norm.', pytorch: 'nn.LayerNorm(24)' },
      { kind: 'Linear', prefix: 'head.', pytorch: 'nn.Linear(24, 5)' },
      { kind: 'Embedding | Linear', prefix: 'proj.', pytorch: 'nn.Embedding(7, 24) | nn.Linear(24, 7, bias=False)' },
      { kind: 'LayerNorm', prefix: 'ln2d.', pytorch: 'nn.LayerNorm((4, 6))' },
      { kind: 'LayerNorm', prefix: 'rms.', pytorch: 'nn.LayerNorm(16, bias=False)' },
    ]);
    expect(formatLayer({ kind: 'LayerNorm', config: { normalizedShape: [8], elementwiseAffine: false, bias: false } })).toBe('nn.LayerNorm(8, elementwise_affine=False)');
    expect(layerRows(new Map([['weight', info([3, 2])], ['bias', info([3])]]))).toEqual([{ kind: 'Linear', prefix: '', pytorch: 'nn.Linear(2, 3)' }]);
  });

  it('leaves the choice of "the module" to the recurrent modules: no new E_AMBIGUOUS_MODULE', () => {
    expect(listModules(classifier).map((m) => [m.prefix, m.kind])).toEqual([['rnn.', 'LSTM']]);
    expect(resolveModule(classifier).prefix).toBe('rnn.');
    const sd = new Map<string, Tensor>([...weightsFor({ mode: 'GRU', inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, projSize: 0 }, pattern)].map(([k, v]) => [`rnn.${k}`, v]));
    sd.set('embedding.weight', pattern([10, 3], 0));
    sd.set('head.weight', pattern([2, 4], 1));
    sd.set('head.bias', pattern([2], 2));
    expect(fromStateDict(sd).kind).toBe('GRU');
  });
});
