/**
 * The cases of the compatibility table and the features (rows) each one exercises.
 *
 * Cases come from a folder of golden case folders (the repository's golden/, a holdout in the same
 * format) or a folder of case files (docs/case-format.md), read by rnnport's conformance kit. A
 * golden case enters the table as `rnnport run` expresses it (`expressGolden`: a plain input, or a
 * packed one padded with 0 to T); the others are listed as not expressible, never failed.
 *
 * Features are read from the case itself (its description, input and weights), so a case file
 * written by `rnnport_capture.py` lands in the same rows as a golden case.
 */
import { expressGolden, type Case } from '../../../dist/index.js';
import { listCaseFiles, listGoldenCases } from '../../../dist/cli/golden.js';

/** A table row: its label and whether a case exercises it. */
export interface Feature {
  readonly id: string;
  readonly label: string;
  readonly has: (c: Case) => boolean;
}

const opt = (c: Case, name: string): unknown => c.description.options[name];
const stack = (c: Case): boolean => !c.description.module.endsWith('Cell');
const weightDtypes = (c: Case): Set<string> => new Set([...c.weights.values()].map((t) => t.dtype));
/** A cell's input is rank 1 unbatched, a stack's rank 2. */
const unbatched = (c: Case): boolean => c.input.ndim === (stack(c) ? 2 : 1);
const lengthsSorted = (c: Case): boolean => {
  const l = Array.from(c.lengths?.data as ArrayLike<number | bigint>, Number);
  return l.every((v, i) => i === 0 || v <= (l[i - 1] as number));
};

/** The rows, in the table's order. */
export const FEATURES: readonly Feature[] = [
  { id: 'rnn_tanh', label: 'nn.RNN, tanh', has: (c) => c.description.module === 'RNN' && opt(c, 'nonlinearity') !== 'relu' },
  { id: 'rnn_relu', label: 'nn.RNN, relu', has: (c) => c.description.module === 'RNN' && opt(c, 'nonlinearity') === 'relu' },
  { id: 'gru', label: 'nn.GRU', has: (c) => c.description.module === 'GRU' },
  { id: 'lstm', label: 'nn.LSTM', has: (c) => c.description.module === 'LSTM' },
  { id: 'layers', label: 'num_layers ≥ 2', has: (c) => stack(c) && Number(opt(c, 'num_layers') ?? 1) >= 2 },
  { id: 'bidirectional', label: 'bidirectional', has: (c) => opt(c, 'bidirectional') === true },
  { id: 'proj_size', label: 'LSTM proj_size', has: (c) => Number(opt(c, 'proj_size') ?? 0) > 0 },
  { id: 'no_bias', label: 'bias=False', has: (c) => opt(c, 'bias') === false },
  { id: 'batch_first', label: 'batch_first', has: (c) => opt(c, 'batch_first') === true },
  { id: 'unbatched', label: 'unbatched input', has: unbatched },
  { id: 'batch0', label: 'batch of 0', has: (c) => !unbatched(c) && c.input.shape[stack(c) && opt(c, 'batch_first') === true ? 0 : stack(c) ? 1 : 0] === 0 },
  { id: 'state', label: 'h0 / c0 given', has: (c) => c.h0 !== undefined },
  { id: 'packed_sorted', label: 'packed, sorted lengths', has: (c) => c.lengths !== undefined && lengthsSorted(c) },
  { id: 'packed_unsorted', label: 'packed, unsorted lengths', has: (c) => c.lengths !== undefined && !lengthsSorted(c) },
  { id: 'float64', label: 'float64', has: (c) => c.description.dtype === 'float64' },
  { id: 'w_f16', label: 'float16 weights', has: (c) => weightDtypes(c).has('float16') },
  { id: 'w_bf16', label: 'bfloat16 weights', has: (c) => weightDtypes(c).has('bfloat16') },
  { id: 'rnn_cell', label: 'nn.RNNCell', has: (c) => c.description.module === 'RNNCell' },
  { id: 'gru_cell', label: 'nn.GRUCell', has: (c) => c.description.module === 'GRUCell' },
  { id: 'lstm_cell', label: 'nn.LSTMCell', has: (c) => c.description.module === 'LSTMCell' },
];

/** The features a case exercises, by id. */
export const featuresOf = (c: Case): string[] => FEATURES.filter((f) => f.has(c)).map((f) => f.id);

export interface TableCases {
  readonly cases: readonly Case[];
  /** Golden cases `run` cannot express, with the reason. */
  readonly notExpressible: readonly { readonly name: string; readonly reason: string }[];
}

/** The cases at `dir` whose name contains `filter`: golden case folders, or case files. */
export async function loadTableCases(dir: string, filter?: string): Promise<TableCases> {
  const files = listCaseFiles(dir, filter);
  if (files.length > 0) return { cases: files.map((f) => f.load()), notExpressible: [] };
  const cases: Case[] = [];
  const notExpressible: { name: string; reason: string }[] = [];
  for (const g of listGoldenCases(dir, filter)) {
    const c = await expressGolden(g.spec, g.files);
    if ('notExpressible' in c) notExpressible.push({ name: g.name, reason: c.notExpressible });
    else cases.push(c);
  }
  return { cases, notExpressible };
}
