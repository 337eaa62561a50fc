/**
 * config → facts: the shapes of what nn.RNN / nn.GRU / nn.LSTM return, where each h_n row is
 * taken, and which slices of output equal which rows of h_n (docs/semantics.md, "Shapes").
 * Facts are data (index lists, not strings) so that slice.ts can evaluate them on a real run
 * (explain.ts) and text.ts / svg.ts can draw them.
 *
 * Note [h_n rows in output]
 * h_n is (L·D, B, H_out), row = layer·D + direction (h_n.view(L, D, B, H_out)[layer, direction]).
 * Only the last layer reaches output, forward half first:
 *   output[T−1, :, :H_out] == h_n[(L−1)·D]       forward ends at t = T−1
 *   output[0, :, H_out:]   == h_n[(L−1)·D + 1]   reverse runs t = T−1 … 0, so it ends at t = 0
 * For a bidirectional module the forward row is h_n[-2], not h_n[-1]. With packed input each
 * sequence b ends at its own len_b − 1 (forward) and the reverse direction starts there.
 */
import { formatConstructor, gateCount, numDirections, outSize, type Family, type ModuleConfig } from '../config.js';
import { badArgument, fail } from '../errors.js';

/** The module to explain: PyTorch's constructor arguments (camelCase). */
export interface ExplainModuleConfig {
  /** nn.RNN, nn.GRU or nn.LSTM. */
  readonly mode: Family;
  readonly hiddenSize: number;
  /** @defaultValue hiddenSize */
  readonly inputSize?: number;
  /** @defaultValue 1 */
  readonly numLayers?: number;
  /** @defaultValue false */
  readonly bidirectional?: boolean;
  /** LSTM only; 0 means no projection. @defaultValue 0 */
  readonly projSize?: number;
}

/** What to explain: the module, plus the input's T and B (and lengths for a packed batch). */
export interface ExplainConfig extends ExplainModuleConfig {
  /** T. @defaultValue max(lengths), else 5 */
  readonly seqLen?: number;
  /** B. @defaultValue lengths.length, else 2 */
  readonly batch?: number;
  /** One length per sequence: the input is run through pack_padded_sequence(enforce_sorted=False). */
  readonly lengths?: readonly number[];
  /** @defaultValue false */
  readonly batchFirst?: boolean;
}

/** The config with every default filled in (bias is always true), and the derived sizes. */
export interface ResolvedConfig extends ModuleConfig {
  readonly mode: Family;
  readonly seqLen: number;
  readonly batch: number;
  readonly lengths: readonly number[] | null;
  readonly batchFirst: boolean;
  /** D: 2 if bidirectional, else 1. */
  readonly directions: number;
  /** H_out: projSize if > 0, else hiddenSize. */
  readonly hOut: number;
}

export type TensorName = 'input' | 'h_0' | 'c_0' | 'output' | 'h_n' | 'c_n';

export interface ShapeFact {
  readonly name: TensorName;
  readonly shape: readonly number[];
  /** The symbolic shape, e.g. `(T, B, D*H_out)`. */
  readonly dims: string;
  readonly note: string;
}

/** One index into a tensor, in its own dims: a position (negative counts from the end), a range, or all. */
export type IndexEntry = number | { readonly start: number | null; readonly stop: number | null } | null;

export interface SliceRef {
  readonly tensor: 'output' | 'h_n' | 'c_n';
  readonly index: readonly IndexEntry[];
}

/** `lhs == rhs` (equal) or `lhs != rhs` (a common mistake), and why. */
export interface EqualityFact {
  readonly lhs: SliceRef;
  readonly rhs: SliceRef | { readonly value: number };
  readonly equal: boolean;
  readonly why: string;
}

/** One row of h_n (and c_n): which layer and direction, and the step t where each sequence's state is taken. */
export interface StateFact {
  readonly row: number;
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  /** takenAt[b]: time step of sequence b whose state this row holds. */
  readonly takenAt: readonly number[];
  /** True for the last layer's rows: they also appear in output. */
  readonly inOutput: boolean;
}

export interface ExplainFacts {
  readonly config: ResolvedConfig;
  /** The PyTorch constructor, e.g. `nn.LSTM(8, 16, num_layers=2, bidirectional=True)`. */
  readonly module: string;
  readonly shapes: readonly ShapeFact[];
  /** h_n.view(L, D, B, H_out) */
  readonly hNView: readonly number[];
  readonly states: readonly StateFact[];
  readonly equalities: readonly EqualityFact[];
}

/**
 * What one `explain` may cost: its check builds the module on random weights and runs it, so
 * the configuration's sizes are bounded before anything is allocated (E_LIMIT with the figure).
 * `numbers`: weights plus activations (float32 each); `work`: multiply-adds of the run
 * (weights × T × B); `facts`: h_n rows × sequences listed.
 */
export const EXPLAIN_LIMITS: Readonly<{ numbers: number; work: number; facts: number }> = Object.freeze({ numbers: 2 ** 25, work: 2 ** 30, facts: 2 ** 16 });

const MODES: readonly Family[] = ['RNN', 'GRU', 'LSTM'];

function positiveInt(value: number, what: string, min: number, code: 'E_BAD_OPTION' | 'E_LENGTHS' = 'E_BAD_OPTION'): number {
  if (typeof value !== 'number') throw badArgument(`explain config.${what}`, 'a number', value);
  if (!Number.isSafeInteger(value) || value < min) {
    throw fail(code, { what: `explain ${what}`, expected: `an integer ≥ ${min}`, got: String(value) });
  }
  return value;
}

/** Fills defaults and checks the config as PyTorch's constructor and pack_padded_sequence would. */
export function resolveConfig(config: ExplainConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw badArgument('explain(config)', 'an object { mode, hiddenSize, … }', config);
  if (!MODES.includes(config.mode)) throw badArgument('explain config.mode', "'RNN', 'GRU' or 'LSTM'", config.mode);
  for (const flag of ['bidirectional', 'batchFirst'] as const) {
    if (config[flag] !== undefined && typeof config[flag] !== 'boolean') throw badArgument(`explain config.${flag}`, 'a boolean', config[flag]);
  }
  if (config.lengths !== undefined && !Array.isArray(config.lengths)) throw badArgument('explain config.lengths', 'an array of lengths', config.lengths);
  const hiddenSize = positiveInt(config.hiddenSize, 'hiddenSize', 1);
  const projSize = positiveInt(config.projSize ?? 0, 'projSize', 0);
  if (projSize > 0 && config.mode !== 'LSTM') {
    throw fail('E_BAD_OPTION', { what: 'explain projSize', expected: '0 (proj_size is LSTM only)', got: `${projSize} for ${config.mode}` });
  }
  if (projSize >= hiddenSize && projSize > 0) {
    throw fail('E_BAD_OPTION', { what: 'explain projSize', expected: `< hiddenSize (${hiddenSize})`, got: String(projSize) });
  }
  const lengths = config.lengths === undefined ? null : config.lengths.map((n, i) => positiveInt(n, `lengths[${i}]`, 1, 'E_LENGTHS'));
  if (lengths !== null && lengths.length === 0) {
    throw fail('E_LENGTHS', { what: 'explain lengths', expected: 'one length per sequence', got: 'an empty list' });
  }
  const maxLength = lengths === null ? 5 : lengths.reduce((a, b) => Math.max(a, b), 0);
  const seqLen = positiveInt(config.seqLen ?? maxLength, 'seqLen', 1);
  const batch = positiveInt(config.batch ?? lengths?.length ?? 2, 'batch', 1);
  if (lengths !== null && lengths.length !== batch) {
    throw fail('E_LENGTHS', { what: 'explain lengths', expected: `${batch} lengths (batch)`, got: String(lengths.length) });
  }
  if (lengths !== null && maxLength > seqLen) {
    throw fail('E_LENGTHS', { what: 'explain lengths', expected: `each ≤ seqLen (${seqLen})`, got: String(maxLength) });
  }
  const bidirectional = config.bidirectional ?? false;
  const resolved: ResolvedConfig = {
    mode: config.mode,
    inputSize: positiveInt(config.inputSize ?? hiddenSize, 'inputSize', 1),
    hiddenSize,
    numLayers: positiveInt(config.numLayers ?? 1, 'numLayers', 1),
    bias: true,
    bidirectional,
    projSize,
    seqLen,
    batch,
    lengths,
    batchFirst: config.batchFirst ?? false,
    directions: numDirections({ bidirectional }),
    hOut: outSize({ hiddenSize, projSize }),
  };
  checkCost(resolved);
  return resolved;
}

/** E_LIMIT when the configuration's run would exceed EXPLAIN_LIMITS (plain doubles: no product overflows). */
function checkCost(c: ResolvedConfig): void {
  const G = gateCount(c.mode);
  const { hiddenSize: H, hOut, numLayers: L, directions: D, seqLen: T, batch: B } = c;
  const perDirection = (input: number): number => G * H * (input + hOut + 2) + c.projSize * H;
  const weights = D * (perDirection(c.inputSize) + (L - 1) * perDirection(D * hOut));
  const activations = T * B * (c.inputSize + L * D * hOut) + L * D * B * (hOut + G * H);
  const limit = (what: string, got: number, most: number, unit: string): void => {
    if (got > most) throw fail('E_LIMIT', { what: `explain ${what}`, expected: `at most ${most} ${unit} (explain runs the configuration on random weights to check every fact)`, got: String(got) });
  };
  limit('weights and activations', weights + activations, EXPLAIN_LIMITS.numbers, 'numbers');
  limit('work (weights × seq_len × batch)', weights * T * B, EXPLAIN_LIMITS.work, 'multiply-adds');
  limit('facts (h_n rows × sequences)', L * D * B, EXPLAIN_LIMITS.facts, 'rows');
}

const ALL: IndexEntry = null;
const upTo = (stop: number): IndexEntry => ({ start: null, stop });
const from = (start: number): IndexEntry => ({ start, stop: null });

/** An index into output at (t, b) in the layout the user sees (batch_first swaps the first two). */
function outputAt(c: ResolvedConfig, t: IndexEntry, b: IndexEntry, cols: IndexEntry): SliceRef {
  const index = c.batchFirst ? [b, t, cols] : [t, b, cols];
  while (index.length > 0 && index[index.length - 1] === ALL) index.pop();
  return { tensor: 'output', index };
}

function hN(row: number, b: IndexEntry): SliceRef {
  return { tensor: 'h_n', index: b === ALL ? [row] : [row, b] };
}

/** Works out the facts of a configuration (no computation: check.ts verifies them on a run). */
export function explainFacts(config: ExplainConfig): ExplainFacts {
  const c = resolveConfig(config);
  const { numLayers: L, directions: D, batch: B, seqLen: T, hOut, hiddenSize: H } = c;
  const lengthOf = (b: number): number => c.lengths?.[b] ?? T;
  const isLstm = c.mode === 'LSTM';
  const io = c.batchFirst ? '(B, T, ' : '(T, B, ';
  const shapes: ShapeFact[] = [
    { name: 'input', shape: c.batchFirst ? [B, T, c.inputSize] : [T, B, c.inputSize], dims: `${io}input_size)`, note: c.lengths === null ? 'padded batch' : 'padded batch, packed with pack_padded_sequence(enforce_sorted=False)' },
    { name: 'h_0', shape: [L * D, B, hOut], dims: '(L*D, B, H_out)', note: 'zeros when not given; never batch-first' },
  ];
  if (isLstm) shapes.push({ name: 'c_0', shape: [L * D, B, H], dims: '(L*D, B, H)', note: 'zeros when not given' });
  shapes.push(
    { name: 'output', shape: c.batchFirst ? [B, T, D * hOut] : [T, B, D * hOut], dims: `${io}D*H_out)`, note: D === 2 ? 'last layer only, every step; forward half first, then reverse' : 'last layer only, every step' },
    { name: 'h_n', shape: [L * D, B, hOut], dims: '(L*D, B, H_out)', note: "every layer's final state; row = layer*D + direction" },
  );
  if (isLstm) shapes.push({ name: 'c_n', shape: [L * D, B, H], dims: '(L*D, B, H)', note: 'every layer\'s final cell state; appears nowhere in output' });

  const states: StateFact[] = [];
  for (let layer = 0; layer < L; layer++) {
    for (let d = 0; d < D; d++) {
      const takenAt = Array.from({ length: B }, (_, b) => (d === 0 ? lengthOf(b) - 1 : 0));
      states.push({ row: layer * D + d, layer, direction: d === 0 ? 'forward' : 'reverse', takenAt, inOutput: layer === L - 1 });
    }
  }

  const fwdRow = -D; // (L−1)·D, counted from the end: -1 one direction, -2 two
  const fwdCols = D === 2 ? upTo(hOut) : ALL;
  const equalities: EqualityFact[] = [];
  if (c.lengths === null) {
    equalities.push({ lhs: outputAt(c, -1, ALL, fwdCols), rhs: hN(fwdRow, ALL), equal: true, why: `last layer, forward: its final step is t = ${T - 1}` });
    if (D === 2) {
      equalities.push(
        { lhs: outputAt(c, 0, ALL, from(hOut)), rhs: hN(-1, ALL), equal: true, why: 'last layer, reverse: it runs t = T-1 … 0, so its final state is at t = 0' },
        { lhs: outputAt(c, -1, ALL, from(hOut)), rhs: hN(-1, ALL), equal: false, why: 'at t = T-1 the reverse direction has seen one step only' },
      );
    }
    if (L > 1) {
      equalities.push({ lhs: outputAt(c, -1, ALL, fwdCols), rhs: hN(0, ALL), equal: false, why: 'h_n of lower layers never appears in output' });
    }
  } else {
    for (let b = 0; b < B; b++) {
      const len = lengthOf(b);
      equalities.push({ lhs: outputAt(c, len - 1, b, fwdCols), rhs: hN(fwdRow, b), equal: true, why: `sequence ${b} has length ${len}: forward ends at t = ${len - 1}` });
      if (D === 2) {
        equalities.push({ lhs: outputAt(c, 0, b, from(hOut)), rhs: hN(-1, b), equal: true, why: `reverse starts at t = ${len - 1} and ends at t = 0` });
      }
      if (len < T) {
        equalities.push(
          { lhs: outputAt(c, from(len), b, ALL), rhs: { value: 0 }, equal: true, why: `pad_packed_sequence fills t ≥ ${len} with padding_value` },
          { lhs: outputAt(c, -1, b, fwdCols), rhs: hN(fwdRow, b), equal: false, why: 'output[-1] is padding for a shorter sequence' },
        );
      }
    }
  }

  return {
    config: c,
    module: formatConstructor({ kind: c.mode, inputSize: c.inputSize, hiddenSize: H, numLayers: L, bidirectional: c.bidirectional, projSize: c.projSize, batchFirst: c.batchFirst }),
    shapes,
    hNView: [L, D, B, hOut],
    states,
    equalities,
  };
}

/** PyTorch's spelling of a slice: `output[-1, :, :16]`, `h_n[-2]`, `output[3:, 1]`. */
export function formatSlice(ref: SliceRef): string {
  const parts = ref.index.map((entry) => {
    if (entry === null) return ':';
    if (typeof entry === 'number') return String(entry);
    return `${entry.start ?? ''}:${entry.stop ?? ''}`;
  });
  return parts.length === 0 ? ref.tensor : `${ref.tensor}[${parts.join(', ')}]`;
}

/** `lhs == rhs` or `lhs != rhs`. */
export function formatEquality(fact: EqualityFact): string {
  const rhs = 'value' in fact.rhs ? String(fact.rhs.value) : formatSlice(fact.rhs);
  return `${formatSlice(fact.lhs)} ${fact.equal ? '==' : '!='} ${rhs}`;
}
