/**
 * `toOnnx` options: what the graph takes (batch-first or unbatched input, h0 / c0, lengths) and
 * how the recurrence is lowered. Checked once against the module's description: an option that
 * does not apply is E_BAD_OPTION (as in `rnnport run`), a module or option ONNX Runtime cannot
 * compute with PyTorch's numbers is E_EXPORT_UNSUPPORTED naming the feature.
 */
import type { FloatDType } from '../dtype.js';
import { fail } from '../errors.js';
import type { Nonlinearity } from '../config.js';
import type { Description } from './describe.js';
import { IR_VERSION_OF_OPSET } from './serialize.js';

/**
 * How the recurrence becomes ONNX nodes: `native`, ONNX's RNN / GRU / LSTM operators (float32,
 * no projection: ONNX Runtime's fast kernels); `scan`, PyTorch's equations as explicit nodes in a
 * Scan loop (any dtype, proj_size); `auto`, native where it applies, else scan.
 */
export type Lowering = 'auto' | 'native' | 'scan';

/** Options of `toOnnx`. */
export interface ToOnnxOptions {
  /** Input and output are (B, T, ·); h_0 / h_n never are. Not for cells. @defaultValue the module's batchFirst */
  readonly batchFirst?: boolean;
  /** Graph inputs `h0` (and `c0` for an LSTM / LSTMCell); without them the initial state is zeros. @defaultValue false */
  readonly state?: boolean;
  /** Graph input `lengths` (int64, one per sequence, any order): outputs as pad_packed_sequence of the packed run. Not for cells or unbatched input. @defaultValue false */
  readonly packed?: boolean;
  /** Rank-2 input (T, I) (a cell: rank 1, (I)); the outputs drop the batch axis. @defaultValue false */
  readonly unbatched?: boolean;
  /** ONNX opset, 14 to 25. @defaultValue 17 */
  readonly opset?: number;
  /** @defaultValue 'auto' */
  readonly lowering?: Lowering;
  /** State_dict source only: the module's key prefix. */
  readonly prefix?: string;
  /** State_dict source only: nn.RNN's nonlinearity. @defaultValue 'tanh' */
  readonly nonlinearity?: Nonlinearity;
  /** State_dict source only: the compute dtype. @defaultValue 'float64' when every weight is float64, else 'float32' */
  readonly dtype?: FloatDType;
}

/** Options resolved against a module. */
export interface ExportPlan {
  readonly batchFirst: boolean;
  readonly state: boolean;
  readonly packed: boolean;
  readonly unbatched: boolean;
  readonly opset: number;
  /** The lowering used: never `auto`. */
  readonly lowering: 'native' | 'scan';
  /** Wrap native layers in If(B == 0) (see export.ts); onnxModule answers B = 0 itself and leaves it out. */
  readonly emptyBatchGuard: boolean;
}

export const DEFAULT_OPSET = 17;
const OPSETS = Object.keys(IR_VERSION_OF_OPSET).map(Number);
const [MIN_OPSET, MAX_OPSET] = [Math.min(...OPSETS), Math.max(...OPSETS)];

function flag(name: keyof ToOnnxOptions, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw fail('E_BAD_OPTION', { what: `toOnnx option ${name}`, expected: 'true or false', got: String(value) });
  return value;
}

/** Checks the options against the module; see the file comment for which code says what. */
export function planExport(d: Description, options: ToOnnxOptions): ExportPlan {
  const state = flag('state', options.state, false);
  const packed = flag('packed', options.packed, false);
  const unbatched = flag('unbatched', options.unbatched, false);
  const batchFirst = flag('batchFirst', options.batchFirst, d.batchFirst);
  if (d.cell && (packed || batchFirst)) {
    throw fail('E_BAD_OPTION', { what: `toOnnx option ${packed ? 'packed' : 'batchFirst'}`, expected: `none for ${d.className} (one step, input (B, I) or (I))`, got: 'true' });
  }
  if (packed && unbatched) {
    throw fail('E_BAD_OPTION', { what: 'toOnnx option packed', expected: 'batched input (lengths are one per sequence)', got: 'packed with unbatched' });
  }
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isSafeInteger(opset)) throw fail('E_BAD_OPTION', { what: 'toOnnx option opset', expected: 'an integer', got: String(opset) });
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw fail('E_EXPORT_UNSUPPORTED', { what: 'ONNX opset', expected: `${MIN_OPSET} to ${MAX_OPSET}`, got: String(opset) });
  }
  const lowering = options.lowering ?? 'auto';
  if (lowering !== 'auto' && lowering !== 'native' && lowering !== 'scan') {
    throw fail('E_BAD_OPTION', { what: 'toOnnx option lowering', expected: "'auto', 'native' or 'scan'", got: String(lowering) });
  }
  const nativeBlocker = d.projSize > 0 ? `proj_size=${d.projSize} (ONNX's LSTM operator has no projection)` : d.dtype !== 'float32' ? `${d.dtype} (ONNX Runtime's RNN / GRU / LSTM kernels are float32-only)` : null;
  if (lowering === 'native' && nativeBlocker !== null) {
    throw fail('E_EXPORT_UNSUPPORTED', { what: "lowering 'native' (ONNX's recurrent operators)", expected: "float32 without proj_size (use lowering 'scan' or 'auto')", got: nativeBlocker });
  }
  return { batchFirst: batchFirst && !unbatched, state, packed, unbatched, opset, lowering: lowering === 'scan' || nativeBlocker !== null ? 'scan' : 'native', emptyBatchGuard: true };
}
