/**
 * Tensor: a dtype, a shape and row-major (C-order) data in a typed array. Data only: no math.
 * Narrow floats (float16, bfloat16, float8) keep their raw bits and convert on use, exactly.
 */
import { fail } from './errors.js';
import {
  bfloat16ToNumber,
  DTYPES,
  float16ToNumber,
  float8e4m3fnToNumber,
  float8e5m2ToNumber,
  type DataOf,
  type DType,
  type FloatDType,
  type TensorData,
} from './dtype.js';

/** Number of elements of a shape (1 for a 0-d shape). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Renders a shape as PyTorch prints it: `(2, 3, 4)`; `()` for a scalar, `(5,)` for 1-d. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** A dtype, a shape and row-major data. `data.length === numel(shape)` always holds. */
export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataOf[D];

  constructor(dtype: D, shape: readonly number[], data: DataOf[D]) {
    for (const [i, d] of shape.entries()) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw fail('E_BAD_OPTION', { what: `shape[${i}]`, expected: 'a non-negative integer', got: String(d) });
      }
    }
    const n = numel(shape);
    if (data.length !== n) {
      throw fail('E_SIZE_OVERFLOW', {
        what: 'tensor data length',
        expected: `${n} elements for shape ${formatShape(shape)}`,
        got: String(data.length),
      });
    }
    const expectedCtor = DTYPES[dtype].alloc(0).constructor;
    if (data.constructor !== expectedCtor) {
      throw fail('E_INPUT_DTYPE', {
        what: 'tensor data',
        expected: `${expectedCtor.name} for dtype ${dtype}`,
        got: data.constructor.name,
      });
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /** Number of elements. */
  get numel(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Size in bytes of the data. */
  get byteLength(): number {
    return this.data.byteLength;
  }

  /** Values as float32 (exact for every float dtype narrower than float64; float64 rounds). */
  toFloat32(): Float32Array {
    return this.dtype === 'float32' ? (this.data as Float32Array) : (toFloat(this, 'float32') as Float32Array);
  }

  /** Values as float64 (exact for every float dtype). */
  toFloat64(): Float64Array {
    return this.dtype === 'float64' ? (this.data as Float64Array) : (toFloat(this, 'float64') as Float64Array);
  }

  /** This tensor converted to a float compute dtype (a new tensor unless it already is one). */
  to(dtype: FloatDType): Tensor<FloatDType> {
    if ((this.dtype as DType) === dtype) return this as unknown as Tensor<FloatDType>;
    return new Tensor(dtype, this.shape, toFloat(this, dtype));
  }

  /** Same data, another shape with the same number of elements (no copy). */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.dtype, shape, this.data);
  }

  /** Plain nested arrays (numbers; int64 values as numbers when safe, else bigint). */
  toArray(): unknown {
    const flat = Array.from(toNumbers(this));
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return flat[offset];
      const size = this.shape[dim] as number;
      const stride = numel(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < size; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }
}

function toNumbers(t: Tensor): Iterable<number | bigint> {
  switch (t.dtype) {
    case 'float16':
    case 'bfloat16':
    case 'float8_e4m3fn':
    case 'float8_e5m2':
      return toFloat(t, 'float64');
    case 'int64':
    case 'uint64':
      return Array.from(t.data as BigInt64Array | BigUint64Array, (v) =>
        v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
      );
    default:
      return t.data as Iterable<number>;
  }
}

/** Converts any tensor's values to float32 or float64: exact for narrow floats and integers ≤ 2^24 / 2^53. */
export function toFloat(t: Tensor, dtype: FloatDType): Float32Array | Float64Array {
  const n = t.numel;
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const src = t.data;
  switch (t.dtype) {
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = float16ToNumber(src[i] as number);
      break;
    case 'bfloat16':
      for (let i = 0; i < n; i++) out[i] = bfloat16ToNumber(src[i] as number);
      break;
    case 'float8_e4m3fn':
      for (let i = 0; i < n; i++) out[i] = float8e4m3fnToNumber(src[i] as number);
      break;
    case 'float8_e5m2':
      for (let i = 0; i < n; i++) out[i] = float8e5m2ToNumber(src[i] as number);
      break;
    case 'int64':
    case 'uint64':
      for (let i = 0; i < n; i++) out[i] = Number(src[i] as bigint);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = src[i] as number;
  }
  return out;
}

/**
 * Creates a tensor. `data` may be a typed array of the dtype's storage type (kept, not copied) or
 * a flat array of numbers (converted). The dtype defaults from the typed array (Float32Array →
 * float32, Float64Array → float64, Int32Array → int32, BigInt64Array → int64, …) or float32.
 *
 * @example tensor([1, 2, 3, 4, 5, 6], [2, 3])            // float32, shape (2, 3)
 * @example tensor(new Float64Array(6), [3, 2])           // float64
 */
export function tensor(data: TensorData | readonly number[], shape: readonly number[], dtype?: DType): Tensor {
  const d: DType = dtype ?? (Array.isArray(data) ? 'float32' : inferDType(data as TensorData));
  if (Array.isArray(data) || !(data.constructor === DTYPES[d].alloc(0).constructor)) {
    const arr = data as ArrayLike<number | bigint>;
    const out = DTYPES[d].alloc(arr.length);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      for (let i = 0; i < arr.length; i++) out[i] = BigInt(arr[i] as number | bigint);
    } else if (d === 'float16' || d === 'bfloat16' || d.startsWith('float8')) {
      throw fail('E_INPUT_DTYPE', {
        what: `tensor(data, shape, '${d}')`,
        expected: `raw ${d} bits in a ${out.constructor.name}`,
        got: Array.isArray(data) ? 'an array of numbers' : (data as TensorData).constructor.name,
      });
    } else {
      for (let i = 0; i < arr.length; i++) (out as Float64Array)[i] = Number(arr[i]);
    }
    return new Tensor(d, shape, out);
  }
  return new Tensor(d, shape, data as TensorData as DataOf[typeof d]);
}

function inferDType(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  return 'float32';
}

/** A state_dict: parameter name → tensor, in file order (PyTorch's `module.state_dict()`). */
export type StateDict = Map<string, Tensor>;

/** What module discovery needs of a tensor: its dtype and shape (a header is enough). */
export interface TensorInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
}
