/**
 * `runModule`: one forward pass the way `rnnport run` describes it, for any module kind — the one
 * way the CLI, the golden runner, explain, the browser page and the tests run a module:
 *   lengths given: pack_padded_sequence(input, lengths, batch_first, enforce_sorted=False) →
 *                  module → pad_packed_sequence(..., batch_first, total_length=T)
 *   otherwise:     module(input, hx)
 * A cell computes one step and its output is h′.
 */
import { PackedSequence, packPaddedSequence, padPackedSequence, type Lengths } from '../engine/packed.js';
import { fail } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { ForwardResult, Hx } from './forward.js';

/** Anything with a module's forward: every module class, or a module prepared on a given engine. */
export interface Runnable {
  /** The torch.nn class (cells take no lengths). */
  readonly kind: string;
  /** nn.RNN / GRU / LSTM's batch_first; absent for cells. */
  readonly batchFirst?: boolean;
  forward(input: Tensor | PackedSequence, hx?: Hx): ForwardResult;
}

/** What to run: the padded input, the optional initial state and per-sequence lengths. */
export interface RunInputs {
  readonly input: Tensor;
  readonly hx?: Hx | undefined;
  /** One length per batch element (int32 / int64 tensor, typed array or list): a packed run. */
  readonly lengths?: Lengths | undefined;
}

/** output (padded to T when packed, h′ for a cell), h_n and c_n (LSTM / LSTMCell), shapes exactly PyTorch's. */
export interface RunOutputs {
  readonly output: Tensor;
  readonly hN: Tensor;
  readonly cN?: Tensor | undefined;
}

/** Runs `module` on `inputs` as `rnnport run` does (see the file comment). */
export function runModule(module: Runnable, inputs: RunInputs): RunOutputs {
  const { input, hx, lengths } = inputs;
  if (lengths === undefined) {
    const r = module.forward(input, hx);
    return { output: r.output as Tensor, hN: r.hN, cN: r.cN };
  }
  if (module.kind.endsWith('Cell')) throw fail('E_BAD_OPTION', { what: 'lengths', expected: 'only for nn.RNN / nn.GRU / nn.LSTM (a cell takes one step)', got: `nn.${module.kind}` });
  if (input.ndim !== 3) throw fail('E_BAD_OPTION', { what: 'lengths', expected: 'a batched input (rank 3)', got: `an input of rank ${input.ndim}` });
  const batchFirst = module.batchFirst === true;
  const T = input.shape[batchFirst ? 1 : 0] as number;
  const r = module.forward(packPaddedSequence(input, lengths, { batchFirst, enforceSorted: false }), hx);
  const [output] = padPackedSequence(r.output as PackedSequence, { batchFirst, totalLength: T });
  return { output, hN: r.hN, cN: r.cN };
}
