import { describe, expect, it } from 'vitest';
import { DTYPES, DTYPE_NAMES, type DType } from '../../../src/dtype.js';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/io/limits.js';
import { openSafetensors, parseSafetensors, saveSafetensors } from '../../../src/io/safetensors.js';
import { bytesSource } from '../../../src/io/source.js';
import { Tensor, tensor } from '../../../src/tensor.js';
import { safetensorsRaw } from '../../../scripts/make_malformed.js';
import { codeOf, countingSource } from './helpers.js';

/** A tensor of `dtype` whose bytes are 1, 2, 3, … (any bit pattern is a valid value here). */
function patterned(dtype: DType, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = Uint8Array.from({ length: n * DTYPES[dtype].itemSize }, (_, i) => (i * 37 + 1) & 0xff);
  return new Tensor(dtype, shape, DTYPES[dtype].make(bytes.buffer, 0, n));
}

const rawBytes = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('safetensors', () => {
  it('round-trips every dtype of the format with metadata, in insertion order', () => {
    const tensors = new Map(DTYPE_NAMES.map((d, i) => [`t.${d}`, patterned(d, i % 3 === 0 ? [] : [i % 4, 3])]));
    const bytes = saveSafetensors(tensors, { format: 'pt', note: 'é ✓' });
    const index = openSafetensors(bytesSource(bytes), DEFAULT_LIMITS);
    expect(index.metadata).toEqual({ format: 'pt', note: 'é ✓' });
    const back = parseSafetensors(bytes);
    expect([...back.keys()]).toEqual([...tensors.keys()]);
    for (const [name, t] of tensors) {
      const b = back.get(name) as Tensor;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect(rawBytes(b)).toEqual(rawBytes(t));
    }
    expect(saveSafetensors(back, { format: 'pt', note: 'é ✓' })).toEqual(bytes);
  });

  it('pads the header with spaces to a multiple of 8', () => {
    const bytes = saveSafetensors({ a: tensor([1], [1]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + n))).toMatch(/^\{.*\} *$/);
  });

  it('accepts tensors laid out in any order relative to the header keys', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const sd = parseSafetensors(safetensorsRaw('{"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', data));
    expect([...sd.keys()]).toEqual(['b', 'a']);
    expect(Array.from((sd.get('a') as Tensor).data as Float32Array)).toEqual([1, 2]);
    expect(Array.from((sd.get('b') as Tensor).data as Float32Array)).toEqual([3]);
  });

  it('accepts zero-size tensors anywhere, sharing an offset', () => {
    const sd = parseSafetensors(safetensorsRaw('{"e":{"dtype":"F64","shape":[0,3],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"z":{"dtype":"I8","shape":[0],"data_offsets":[0,0]}}', new Uint8Array(4)));
    expect((sd.get('e') as Tensor).shape).toEqual([0, 3]);
    expect((sd.get('z') as Tensor).numel).toBe(0);
  });

  it('reads misaligned data correctly (a copy) and aligned data as a view', () => {
    const bytes = saveSafetensors({ h: new Tensor('uint8', [1], new Uint8Array([7])), d: tensor(new Float64Array([1.5, -2]), [2]) });
    const sd = parseSafetensors(bytes);
    expect(Array.from((sd.get('d') as Tensor).data as Float64Array)).toEqual([1.5, -2]);
    expect((sd.get('h') as Tensor).data.buffer).toBe(bytes.buffer);
  });

  it('reads only the header until a tensor is asked for', () => {
    const big = new Float32Array(10_000);
    const bytes = saveSafetensors({ small: tensor([1, 2], [2]), big: tensor(big, [10_000]) });
    const source = countingSource(bytes);
    const opened = openSafetensors(source, DEFAULT_LIMITS);
    expect(source.bytesRead()).toBeLessThan(300);
    opened.read('small');
    expect(source.bytesRead()).toBeLessThan(300);
  });

  it('applies limits.maxHeaderBytes (E_LIMIT) under the format cap (E_HEADER_TOO_LARGE)', () => {
    const bytes = saveSafetensors({ a: tensor([1], [1]) });
    expect(codeOf(() => openSafetensors(bytesSource(bytes), resolveLimits({ maxHeaderBytes: 8 })))).toBe('E_LIMIT');
    expect(codeOf(() => parseSafetensors(safetensorsRaw('{}', new Uint8Array(0), 100_000_001)))).toBe('E_HEADER_TOO_LARGE');
  });

  it('rejects an empty header and a header that is not an object', () => {
    expect(codeOf(() => parseSafetensors(safetensorsRaw('')))).toBe('E_HEADER_JSON');
    expect(codeOf(() => parseSafetensors(safetensorsRaw('[]')))).toBe('E_HEADER_JSON');
    expect(codeOf(() => parseSafetensors(safetensorsRaw('{"__metadata__":[]}')))).toBe('E_HEADER_JSON');
  });

  it('accepts an empty file with metadata only', () => {
    expect(parseSafetensors(saveSafetensors({}, { a: 'b' })).size).toBe(0);
  });

  it('refuses names and metadata the format cannot hold', () => {
    const t = tensor([1], [1]);
    expect(codeOf(() => saveSafetensors({ __metadata__: t }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => saveSafetensors({ ['\ud800']: t }))).toBe('E_BAD_OPTION');
    expect(codeOf(() => saveSafetensors({ a: t }, { k: 1 as unknown as string }))).toBe('E_BAD_ARGUMENT');
    expect(codeOf(() => saveSafetensors({ a: [1] as unknown as Tensor }))).toBe('E_BAD_ARGUMENT');
  });
});
