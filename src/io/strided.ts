/**
 * A strided view of a torch storage, materialised once in row-major order: element
 * (i_0, …, i_{n−1}) is storage element storage_offset + Σ i_d · stride_d (allowlist.ts checked the
 * view lies inside the storage). A contiguous view is a subarray (no copy); any other view is
 * copied once, a whole innermost row at a time when that dimension is contiguous. Its size is
 * numel × item size, which is what `limits.maxTotalBytes` counted before this runs.
 */
import { itemSize } from '../dtype.js';
import type { TensorRef } from './pickle/values.js';

/** The bytes of view `t` of `storage`; `fresh` says whether they were copied (so may be modified in place). */
export function gather(storage: Uint8Array, t: TensorRef): { readonly bytes: Uint8Array; readonly fresh: boolean } {
  const size = itemSize(t.dtype);
  const shape = t.shape;
  const nd = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  let contiguous = true;
  for (let d = nd - 1, expected = 1; d >= 0; d--) {
    const s = shape[d] as number;
    if (s !== 1 && t.stride[d] !== expected) contiguous = false;
    expected *= s;
  }
  if (contiguous || n === 0) return { bytes: storage.subarray(t.storageOffset * size, (t.storageOffset + n) * size), fresh: false };
  const out = new Uint8Array(n * size);
  // Rows along the last dimension: copied whole when that dimension is contiguous.
  const rowLength = nd === 0 ? 1 : (shape[nd - 1] as number);
  const rowContiguous = nd === 0 || rowLength === 1 || t.stride[nd - 1] === 1;
  const outer = nd <= 1 ? 0 : nd - 1; // dimensions walked by the odometer below
  const index = new Array<number>(outer).fill(0);
  let src = t.storageOffset;
  for (let row = 0, dst = 0; row < n / rowLength; row++, dst += rowLength * size) {
    if (rowContiguous) out.set(storage.subarray(src * size, (src + rowLength) * size), dst);
    else {
      const stride = t.stride[nd - 1] as number;
      for (let j = 0, from = src; j < rowLength; j++, from += stride) {
        for (let b = 0; b < size; b++) out[dst + j * size + b] = storage[from * size + b] as number;
      }
    }
    for (let d = outer - 1; d >= 0; d--) {
      const stride = t.stride[d] as number;
      src += stride;
      const next = (index[d] as number) + 1;
      if (next < (shape[d] as number)) {
        index[d] = next;
        break;
      }
      src -= stride * next;
      index[d] = 0;
    }
  }
  return { bytes: out, fresh: true };
}
