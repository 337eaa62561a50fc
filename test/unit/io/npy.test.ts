import { describe, expect, it } from 'vitest';
import { DTYPES, DTYPE_NAMES } from '../../../src/dtype.js';
import { parseNpy, saveNpy } from '../../../src/io/npy.js';
import { Tensor, tensor } from '../../../src/tensor.js';
import { npyRaw } from '../../../scripts/make_malformed.js';
import { codeOf } from './helpers.js';

const f64 = (values: number[]): Uint8Array => new Uint8Array(new Float64Array(values).buffer);
const swapped = (b: Uint8Array, size: number): Uint8Array => Uint8Array.from(b, (_, i) => b[i - (i % size) + size - 1 - (i % size)] as number);

describe('npy', () => {
  it('round-trips every dtype numpy has, with 0-d, empty and n-d shapes', () => {
    for (const dtype of DTYPE_NAMES.filter((d) => DTYPES[d].numpy !== null)) {
      for (const shape of [[], [0], [3], [2, 0, 4], [2, 3, 1]]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const bytes = Uint8Array.from({ length: n * DTYPES[dtype].itemSize }, (_, i) => (i * 53 + 7) & 0xff);
        const t = new Tensor(dtype, shape, DTYPES[dtype].make(bytes.buffer, 0, n));
        const file = saveNpy(t);
        const back = parseNpy(file);
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength)).toEqual(bytes);
        expect(saveNpy(back)).toEqual(file);
      }
    }
  });

  it('aligns the data to 64 bytes and ends the header with a newline', () => {
    const file = saveNpy(tensor([1, 2, 3], [3]));
    expect((file.length - 12) % 64).toBe(0);
    expect(file[file.length - 13]).toBe(0x0a);
  });

  it('writes format 2.0 only when the header outgrows 1.0', () => {
    const shape = new Array<number>(25_000).fill(1);
    const file = saveNpy(tensor([5], shape));
    expect(file[6]).toBe(2);
    // Reading it back: more than numpy's 64 dimensions (NPY_MAXDIMS) is a limit, as in numpy.
    expect(codeOf(() => parseNpy(file))).toBe('E_LIMIT');
    expect(parseNpy(npyRaw("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", new Uint8Array(new Float32Array([5]).buffer), { major: 2 })).shape).toEqual([1, 1]);
    expect(saveNpy(tensor([5], [1]))[6]).toBe(1);
  });

  it('reads versions 2.0 and 3.0', () => {
    const h = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    expect(Array.from(parseNpy(npyRaw(h, f64([1, 2]), { major: 2 })).data as Float64Array)).toEqual([1, 2]);
    expect(Array.from(parseNpy(npyRaw(h, f64([1, 2]), { major: 3 })).data as Float64Array)).toEqual([1, 2]);
  });

  it('byte-swaps big-endian data', () => {
    const t = parseNpy(npyRaw("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", swapped(f64([1.5, -2, 1e300]), 8)));
    expect(Array.from(t.data as Float64Array)).toEqual([1.5, -2, 1e300]);
    const i2 = parseNpy(npyRaw("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([0xff, 0xfe, 0x01, 0x00])));
    expect(Array.from(i2.data as Int16Array)).toEqual([-2, 256]);
  });

  it('transposes fortran_order data to row-major', () => {
    // Column-major (2, 3): [[0, 2, 4], [1, 3, 5]] stored as 0 1 2 3 4 5.
    const t = parseNpy(npyRaw("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f64([0, 1, 2, 3, 4, 5])));
    expect(t.toArray()).toEqual([[0, 2, 4], [1, 3, 5]]);
    // (2, 2, 2): element [i, j, k] at column-major offset i + 2j + 4k.
    const t3 = parseNpy(npyRaw("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", f64([0, 1, 2, 3, 4, 5, 6, 7])));
    expect(t3.toArray()).toEqual([[[0, 4], [2, 6]], [[1, 5], [3, 7]]]);
    const big = parseNpy(npyRaw("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])));
    expect(big.toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it('parses the header as a literal: quotes, spacing, Python 2 longs, no trailing comma', () => {
    for (const h of [
      '{"descr": "<f8", "fortran_order": False, "shape": (2,)}',
      "{ 'shape' : ( 2 , ) ,'fortran_order':False,'descr':'<f8' }",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }",
    ]) {
      expect(parseNpy(npyRaw(h, f64([1, 2]))).shape, h).toEqual([2]);
    }
  });

  it('accepts any byte-order mark on one-byte types', () => {
    for (const d of ['|u1', '<u1', '>u1', '=u1', '|b1', '|i1']) {
      expect(parseNpy(npyRaw(`{'descr': '${d}', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array([1]))).numel).toBe(1);
    }
  });

  it('refuses dtypes numpy cannot hold', () => {
    expect(codeOf(() => saveNpy(new Tensor('bfloat16', [1], new Uint16Array(1))))).toBe('E_DTYPE_UNSUPPORTED');
    expect(codeOf(() => saveNpy(new Tensor('float8_e4m3fn', [1], new Uint8Array(1))))).toBe('E_DTYPE_UNSUPPORTED');
  });

  it('rejects datetime, long double and half-spelled descrs', () => {
    for (const d of ['<M8[ns]', '<m8', '<f16', '<f3', 'f4', '<F4', 'float32']) {
      expect(codeOf(() => parseNpy(npyRaw(`{'descr': '${d}', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(4)))), d).toBe('E_DTYPE_UNSUPPORTED');
    }
  });
});
