/**
 * Proof by the goldens: every golden case an export can express is exported from its weights by
 * toOnnx, run in onnxruntime-node and compared with PyTorch's expected tensors within the case's
 * tolerance — with the default lowering (ONNX's RNN / GRU / LSTM operators where they apply) and
 * again with every float32 case lowered to explicit Scan equations, so both lowerings face every
 * mode and option.
 */
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../dist/onnx.js';
import { check, describeFailures, goldenCases, prepare, weightsOf } from '../lib/golden.js';
import { runModel } from '../lib/ort-node.js';

const cases = goldenCases().filter((c) => c.coverage !== 'not expressible');

describe.each(['auto', 'scan'] as const)('golden cases in onnxruntime-node, lowering %s', (lowering) => {
  const selected = lowering === 'auto' ? cases : cases.filter((c) => c.spec.dtype === 'float32');
  it.each(selected.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const p = prepare(c);
    const model = toOnnx(weightsOf(c), { ...p.options, lowering });
    const checked = check(p, await runModel(model, p.feeds));
    expect(describeFailures(c.name, checked)).toBe('');
    expect(checked.length).toBeGreaterThan(0);
  });
});

describe('every opset toOnnx accepts runs in onnxruntime-node', () => {
  const some = cases.filter((c) => ['lstm_packed_sorted', 'gru_l2_bidir', 'lstm_proj_bidir_l2_h0', 'rnn_tanh_f64_packed'].includes(c.name));
  it.each([14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25])('opset %i', async (opset) => {
    expect(some).toHaveLength(4);
    for (const c of some) {
      const p = prepare(c);
      for (const lowering of ['auto', 'scan'] as const) {
        if (lowering === 'scan' && c.spec.dtype !== 'float32') continue;
        const checked = check(p, await runModel(toOnnx(weightsOf(c), { ...p.options, opset, lowering }), p.feeds));
        expect(describeFailures(`${c.name} (${lowering})`, checked)).toBe('');
      }
    }
  });
});
