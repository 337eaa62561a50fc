/**
 * The dtype table: one row per dtype with its names in safetensors, numpy and torch, its item
 * size and the typed array that holds it. Formats look names up here; nothing else spells them.
 *
 * float16 / bfloat16 / float8 data stay raw (Uint16Array / Uint8Array) and are converted on use,
 * exactly (every such value is representable in float32).
 */

/** Every element type a Tensor can hold. */
export type DType =
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'bfloat16'
  | 'float8_e4m3fn'
  | 'float8_e5m2'
  | 'float32'
  | 'float64';

/** The dtypes the engines compute in. */
export type FloatDType = 'float32' | 'float64';

/** The typed array that stores each dtype. */
export interface DataOf {
  bool: Uint8Array;
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  float8_e4m3fn: Uint8Array;
  float8_e5m2: Uint8Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** Any typed array a Tensor may hold. */
export type TensorData = DataOf[DType];

interface DTypeRow {
  readonly itemSize: number;
  /** safetensors `dtype` string. */
  readonly safetensors: string;
  /** numpy kind+size without byte order (`f4`), or null where numpy has no such dtype. */
  readonly numpy: string | null;
  /** torch.* dtype attribute name (`torch.float32`) and legacy typed storage class. */
  readonly torch: string;
  readonly storage: string | null;
  readonly make: (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorData;
  readonly alloc: (length: number) => TensorData;
}

export const DTYPES: Readonly<Record<DType, DTypeRow>> = {
  bool: { itemSize: 1, safetensors: 'BOOL', numpy: 'b1', torch: 'bool', storage: 'BoolStorage', make: (b, o, n) => new Uint8Array(b, o, n), alloc: (n) => new Uint8Array(n) },
  uint8: { itemSize: 1, safetensors: 'U8', numpy: 'u1', torch: 'uint8', storage: 'ByteStorage', make: (b, o, n) => new Uint8Array(b, o, n), alloc: (n) => new Uint8Array(n) },
  int8: { itemSize: 1, safetensors: 'I8', numpy: 'i1', torch: 'int8', storage: 'CharStorage', make: (b, o, n) => new Int8Array(b, o, n), alloc: (n) => new Int8Array(n) },
  int16: { itemSize: 2, safetensors: 'I16', numpy: 'i2', torch: 'int16', storage: 'ShortStorage', make: (b, o, n) => new Int16Array(b, o, n), alloc: (n) => new Int16Array(n) },
  uint16: { itemSize: 2, safetensors: 'U16', numpy: 'u2', torch: 'uint16', storage: null, make: (b, o, n) => new Uint16Array(b, o, n), alloc: (n) => new Uint16Array(n) },
  int32: { itemSize: 4, safetensors: 'I32', numpy: 'i4', torch: 'int32', storage: 'IntStorage', make: (b, o, n) => new Int32Array(b, o, n), alloc: (n) => new Int32Array(n) },
  uint32: { itemSize: 4, safetensors: 'U32', numpy: 'u4', torch: 'uint32', storage: null, make: (b, o, n) => new Uint32Array(b, o, n), alloc: (n) => new Uint32Array(n) },
  int64: { itemSize: 8, safetensors: 'I64', numpy: 'i8', torch: 'int64', storage: 'LongStorage', make: (b, o, n) => new BigInt64Array(b, o, n), alloc: (n) => new BigInt64Array(n) },
  uint64: { itemSize: 8, safetensors: 'U64', numpy: 'u8', torch: 'uint64', storage: null, make: (b, o, n) => new BigUint64Array(b, o, n), alloc: (n) => new BigUint64Array(n) },
  float16: { itemSize: 2, safetensors: 'F16', numpy: 'f2', torch: 'float16', storage: 'HalfStorage', make: (b, o, n) => new Uint16Array(b, o, n), alloc: (n) => new Uint16Array(n) },
  bfloat16: { itemSize: 2, safetensors: 'BF16', numpy: null, torch: 'bfloat16', storage: 'BFloat16Storage', make: (b, o, n) => new Uint16Array(b, o, n), alloc: (n) => new Uint16Array(n) },
  float8_e4m3fn: { itemSize: 1, safetensors: 'F8_E4M3', numpy: null, torch: 'float8_e4m3fn', storage: null, make: (b, o, n) => new Uint8Array(b, o, n), alloc: (n) => new Uint8Array(n) },
  float8_e5m2: { itemSize: 1, safetensors: 'F8_E5M2', numpy: null, torch: 'float8_e5m2', storage: null, make: (b, o, n) => new Uint8Array(b, o, n), alloc: (n) => new Uint8Array(n) },
  float32: { itemSize: 4, safetensors: 'F32', numpy: 'f4', torch: 'float32', storage: 'FloatStorage', make: (b, o, n) => new Float32Array(b, o, n), alloc: (n) => new Float32Array(n) },
  float64: { itemSize: 8, safetensors: 'F64', numpy: 'f8', torch: 'float64', storage: 'DoubleStorage', make: (b, o, n) => new Float64Array(b, o, n), alloc: (n) => new Float64Array(n) },
};

/** All dtypes, in table order. */
export const DTYPE_NAMES: readonly DType[] = Object.keys(DTYPES) as DType[];

/** Item size in bytes. */
export function itemSize(dtype: DType): number {
  return DTYPES[dtype].itemSize;
}

/** True for dtypes whose values are floating point (stored raw or native). */
export function isFloatDType(dtype: DType): boolean {
  return dtype.startsWith('float') || dtype === 'bfloat16';
}

/** Looks a dtype up by one of its names in the given naming scheme; undefined when unknown. */
export function dtypeFrom(scheme: 'safetensors' | 'numpy' | 'torch' | 'storage', name: string): DType | undefined {
  for (const d of DTYPE_NAMES) if (DTYPES[d][scheme] === name) return d;
  return undefined;
}

// ---- exact conversions of the narrow float formats --------------------------------------------

const F32_BUF = new Float32Array(1);
const U32_BUF = new Uint32Array(F32_BUF.buffer);

/** IEEE 754 binary16 bits → value (exact: NaN, ±Inf, subnormals). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** bfloat16 bits → value: the top half of a float32, so exact by construction. */
export function bfloat16ToNumber(bits: number): number {
  U32_BUF[0] = (bits & 0xffff) << 16;
  return F32_BUF[0] as number;
}

/** float8 e4m3fn (no infinities; S.1111.111 is NaN; max 448) bits → value. */
export function float8e4m3fnToNumber(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const e = (bits >> 3) & 0xf;
  const m = bits & 0x7;
  if (e === 0xf && m === 0x7) return NaN;
  if (e === 0) return sign * m * 2 ** -9;
  return sign * (8 + m) * 2 ** (e - 10);
}

/** float8 e5m2 (IEEE-like: Inf and NaN at exponent 31) bits → value. */
export function float8e5m2ToNumber(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const e = (bits >> 2) & 0x1f;
  const m = bits & 0x3;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** -16;
  return sign * (4 + m) * 2 ** (e - 17);
}

/** number → IEEE binary16 bits, round to nearest even (used by writers and tests). */
export function numberToFloat16(value: number): number {
  F32_BUF[0] = value;
  const x = U32_BUF[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const e32 = (x >>> 23) & 0xff;
  let m = x & 0x7fffff;
  if (e32 === 0xff) return sign | 0x7c00 | (m !== 0 ? 0x200 : 0);
  let e = e32 - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >> shift;
    const rem = m & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = m >> 13;
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** number → bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function numberToBfloat16(value: number): number {
  F32_BUF[0] = value;
  const x = U32_BUF[0] as number;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
