/**
 * Values computed by PyTorch 2.13 (CPU) for deterministic weights: every parameter p, in
 * named_parameters() order s, is filled with ((i·7 + s·3) % 11 − 5) / 8 (`pattern` in helpers.ts),
 * the input with s = 20 and h0 with s = 21. The snippet per case is in its comment.
 */
import { describe, expect, it } from 'vitest';
import { packPaddedSequence, padPackedSequence } from '../../../src/engine/packed.js';
import { GRU, LSTM, RNN } from '../../../src/modules/rnn.js';
import { expectClose, pattern, weightsFor } from './helpers.js';

describe('agrees with PyTorch', () => {
  it('GRU, 2 layers, bidirectional, packed unsorted lengths, with h0', () => {
    // m = nn.GRU(3, 2, num_layers=2, bidirectional=True); x = (3, 3, 3); h0 = (4, 3, 2)
    // p = pack_padded_sequence(x, tensor([2, 3, 1]), enforce_sorted=False); o, h = m(p, h0); o, _ = pad_packed_sequence(o)
    const config = { mode: 'GRU', inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, bias: true, projSize: 0 } as const;
    const gru = new GRU(config, weightsFor(config, pattern));
    const packed = packPaddedSequence(pattern([3, 3, 3], 20), [2, 3, 1], { enforceSorted: false });
    const { output, hN } = gru.forward(packed, pattern([4, 3, 2], 21));
    const [padded, lengths] = padPackedSequence(output);
    expect([...lengths]).toEqual([2, 3, 1]);
    expectClose(padded, [3, 3, 4], [
      -0.24971558153629303, -0.2490057349205017, -0.22743359208106995, -0.42810380458831787, -0.17688162624835968,
      -0.02012503147125244, -0.11509191989898682, -0.28083914518356323, -0.19903698563575745, 0.24983349442481995,
      -0.16399547457695007, -0.006276965141296387, -0.17448492348194122, -0.11616668105125427, -0.2579483985900879,
      -0.25080928206443787, -0.19270066916942596, 0.001530725508928299, 0.07329033315181732, -0.3483956456184387, 0, 0, 0, 0,
      0, 0, 0, 0, -0.1155577003955841, -0.0317315049469471, 0.1407327950000763, -0.4385824203491211, 0, 0, 0, 0,
    ]);
    expectClose(hN, [4, 3, 2], [
      -0.34378722310066223, 0.06799710541963577, -0.6446282267570496, 0.06326834857463837, -0.5516303777694702,
      0.3502703011035919, -0.2905697822570801, 0.11625266075134277, -0.22417841851711273, 0.21466171741485596,
      -0.5766794681549072, 0.260865181684494, -0.17448492348194122, -0.11616668105125427, -0.1155577003955841,
      -0.0317315049469471, -0.19903698563575745, 0.24983349442481995, -0.22743359208106995, -0.42810380458831787,
      -0.11509191989898682, -0.28083914518356323, -0.16399547457695007, -0.006276965141296387,
    ]);
  });

  it('LSTM, 2 layers, proj_size 2, batch_first, no bias, zero states', () => {
    // m = nn.LSTM(2, 3, num_layers=2, proj_size=2, batch_first=True, bias=False); x = (2, 3, 2); o, (h, c) = m(x)
    const config = { mode: 'LSTM', inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: false, bias: false, projSize: 2 } as const;
    const lstm = new LSTM({ ...config, batchFirst: true }, weightsFor(config, pattern));
    const { output, hN, cN } = lstm.forward(pattern([2, 3, 2], 20));
    expectClose(output, [2, 3, 2], [
      0.0013129903236404061, -0.0011836248449981213, 0.002958242781460285, -0.003696510335430503, 0.00012411864008754492,
      0.0002520347770769149, -0.002415586030110717, 0.002860782667994499, -0.0008506327867507935, 0.0014743409119546413,
      0.001529574510641396, -0.002053953008726239,
    ], 1e-7);
    expectClose(hN, [2, 2, 2], [
      0.04336275905370712, 0.0520111620426178, -0.04928198456764221, -0.05618276819586754, 0.00012411864008754492,
      0.0002520347770769149, 0.001529574510641396, -0.002053953008726239,
    ], 1e-7);
    expectClose(cN, [2, 2, 3], [
      -0.11821010708808899, -0.15079370141029358, 0.08462700992822647, 0.05560706928372383, 0.13963234424591064,
      -0.11545670032501221, -0.00491257244721055, -0.0005924652796238661, -0.002936294302344322, 0.011143630370497704,
      -0.0037834327667951584, 0.008314373902976513,
    ], 1e-7);
  });

  it('RNN relu, unbatched, with h0', () => {
    // m = nn.RNN(2, 3, nonlinearity='relu'); x = (4, 2); h0 = (1, 3); o, h = m(x, h0)
    const config = { mode: 'RNN_RELU', inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: false, bias: true, projSize: 0 } as const;
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu' }, weightsFor(config, pattern));
    const { output, hN } = rnn.forward(pattern([4, 2], 20), pattern([1, 3], 21));
    expectClose(output, [4, 3], [0.25, 0, 0.03125, 0.30078125, 0, 0, 1.0029296875, 0, 0, 0.686767578125, 0, 0], 0, 0);
    expectClose(hN, [1, 3], [0.686767578125, 0, 0], 0, 0);
  });
});
