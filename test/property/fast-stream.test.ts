// Property: a stream stepped T times equals one forward pass over the T steps (output of every
// step, final h and c), for every mode, layers and proj_size; on the fast engine (exactly: the same
// kernels sum in the same order) and on the reference engine's stream of one-step runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../src/engine/reference.js';
import type { SimdOption } from '../../src/config.js';
import type { Engine } from '../../src/engine/types.js';
import { createFastEngine } from '../../src/fast/engine.js';
import { randomCase, stackCase } from '../unit/fast/cases.js';

const simd = (process.env.RNNPORT_TEST_SIMD ?? 'plain') as SimdOption;

describe.each<[string, Engine]>([
  [`fast (${simd} SIMD)`, createFastEngine({ simd })],
  ['reference', referenceEngine],
])('%s stream', (_, engine) => {
  it.each(['float32', 'float64'] as const)('stepping T times equals one forward pass over T steps (%s)', (dtype) => {
    fc.assert(
      fc.property(stackCase({ bidirectional: false }), (spec) => {
        // a dense batch: every sequence as long as the longest
        const dense = { ...spec, lengths: spec.lengths.map(() => spec.lengths[0]) };
        const { config, weights, input } = randomCase(dense, dtype);
        const prepared = engine.prepare(config, weights);
        const want = prepared.run(input);
        const B = dense.lengths.length, T = dense.lengths[0], I = config.inputSize;
        const width = config.projSize > 0 ? config.projSize : config.hiddenSize;
        const s = prepared.openStream(B);
        if (input.h0 !== null) s.setState(input.h0, input.c0);
        const output = dtype === 'float32' ? new Float32Array(T * B * width) : new Float64Array(T * B * width);
        for (let t = 0; t < T; t++) output.set(s.step(input.x.subarray(t * B * I, (t + 1) * B * I)), t * B * width);
        const { h, c } = s.getState();
        expect(output).toEqual(want.output);
        expect(h).toEqual(want.hN);
        expect(c).toEqual(want.cN);
        s.dispose();
        prepared.dispose();
      }),
      { numRuns: 50, seed: 11 },
    );
  });

  it('reset() returns to the zero state and a disposed stream throws E_DISPOSED', () => {
    const { config, weights, input } = randomCase({
      mode: 'LSTM', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: false, projSize: 2,
      bias: true, lengths: [2, 2], withState: false, scale: 1, seed: 5,
    });
    const prepared = engine.prepare(config, weights);
    const s = prepared.openStream(2);
    const x0 = input.x.subarray(0, 6);
    const first = s.step(x0).slice();
    s.step(input.x.subarray(6, 12));
    s.reset();
    expect(s.step(x0)).toEqual(first);
    s.dispose();
    expect(() => s.step(x0)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
  });
});
