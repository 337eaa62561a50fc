import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../support/errors.js';
import { DTYPE_NAMES, DTYPES } from '../../../../src/dtype.js';
import { isAllowed, resolveGlobal } from '../../../../src/io/pickle/allowlist.js';
import { DTypeRef, PyCallable, PyOpaque, PyTuple, StorageRef, StorageType, TensorRef, type PickleValue } from '../../../../src/io/pickle/values.js';


const call = (qualname: string, args: PickleValue[]): PickleValue => {
  const [module, name] = [qualname.slice(0, qualname.lastIndexOf('.')), qualname.slice(qualname.lastIndexOf('.') + 1)];
  return (resolveGlobal(module, name, 'test') as PyCallable).call(args, 'test');
};
const ints = (...xs: number[]): PyTuple => new PyTuple(xs);
const floats = (n: number): StorageRef => new StorageRef('0', 'float32', 4 * n);

describe('pickle allow-list', () => {
  it('holds the storage classes and dtypes of the dtype table', () => {
    for (const d of DTYPE_NAMES) {
      expect(resolveGlobal('torch', DTYPES[d].torch, 'test')).toEqual(new DTypeRef(d));
      const storage = DTYPES[d].storage;
      if (storage !== null) expect((resolveGlobal('torch', storage, 'test') as StorageType).dtype).toBe(d);
    }
    expect((resolveGlobal('torch.storage', 'UntypedStorage', 'test') as StorageType).dtype).toBe(null);
  });

  it.each(['os.system', 'builtins.eval', 'builtins.getattr', 'subprocess.Popen', 'torch.load', 'builtins.slice', 'collections.defaultdict', 'numpy.load'])(
    'refuses %s, naming it',
    (qualname) => {
      expect(isAllowed(qualname)).toBe(false);
      const dot = qualname.lastIndexOf('.');
      const e = errorOf(() => resolveGlobal(qualname.slice(0, dot), qualname.slice(dot + 1), 'data.pkl byte 2'));
      expect(e.code).toBe('E_PICKLE_GLOBAL');
      expect(e.detail.got).toBe(qualname);
      expect(e.detail.at).toBe('data.pkl byte 2');
    },
  );

  it('rebuilds a tensor view and checks it lies inside its storage', () => {
    const t = call('torch._utils._rebuild_tensor_v2', [floats(6), 1, ints(2, 2), ints(1, 3), false, null]) as TensorRef;
    expect(t).toEqual(new TensorRef(floats(6), 'float32', 1, [2, 2], [1, 3]));
    // last element 1 + 1·1 + 1·3 = 5 < 6; one more row of stride 3 reaches 8.
    expect(errorOf(() => call('torch._utils._rebuild_tensor_v2', [floats(6), 1, ints(3, 2), ints(3, 1), false, null])).code).toBe('E_STORAGE_BOUNDS');
  });

  it('accepts empty views anywhere and stride-0 (expanded) views', () => {
    expect(call('torch._utils._rebuild_tensor_v2', [floats(1), 9, ints(0, 4), ints(4, 1), false, null])).toBeInstanceOf(TensorRef);
    expect(call('torch._utils._rebuild_tensor_v2', [floats(1), 0, ints(1000, 3), ints(0, 0), false, null])).toBeInstanceOf(TensorRef);
  });

  it('takes the dtype from _rebuild_tensor_v3 and counts an untyped storage in bytes', () => {
    const bytes = new StorageRef('0', null, 6);
    const t = call('torch._utils._rebuild_tensor_v3', [bytes, 0, ints(3), ints(1), false, null, new DTypeRef('uint16')]) as TensorRef;
    expect(t.dtype).toBe('uint16');
    expect(errorOf(() => call('torch._utils._rebuild_tensor_v3', [bytes, 0, ints(4), ints(1), false, null, new DTypeRef('uint16')])).code).toBe('E_STORAGE_BOUNDS');
    expect(errorOf(() => call('torch._utils._rebuild_tensor_v3', [bytes, 0, ints(1), ints(1), false, null, new DTypeRef('float64')])).code).toBe('E_STORAGE_BOUNDS');
    expect(errorOf(() => call('torch._utils._rebuild_tensor_v2', [bytes, 0, ints(3), ints(1), false, null])).code).toBe('E_PICKLE_OPCODE');
  });

  it.each([
    ['a storage that is not one', ['x', 0, ints(1), ints(1), false, null]],
    ['a float offset', [floats(2), 0.5, ints(1), ints(1), false, null]],
    ['a list for size', [floats(2), 0, [1], ints(1), false, null]],
    ['too few arguments', [floats(2), 0, ints(1), ints(1)]],
  ] as [string, PickleValue[]][])('rejects _rebuild_tensor_v2 with %s', (_name, args) => {
    expect(errorOf(() => call('torch._utils._rebuild_tensor_v2', args)).code).toBe('E_PICKLE_OPCODE');
  });

  it('unwraps parameters to their tensor', () => {
    const t = call('torch._utils._rebuild_tensor_v2', [floats(2), 0, ints(2), ints(1), false, null]);
    expect(call('torch._utils._rebuild_parameter', [t, true, null])).toBe(t);
    expect(call('torch._utils._rebuild_parameter_with_state', [t, true, null, null])).toBe(t);
    expect(errorOf(() => call('torch._utils._rebuild_parameter', [1, true, null])).code).toBe('E_PICKLE_OPCODE');
  });

  it('keeps what torch.load(weights_only=True) accepts beside the weights as opaque values, never tensors', () => {
    for (const q of ['torch.device', 'builtins.complex', 'collections.Counter', 'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_qtensor']) {
      expect(call(q, ['x'])).toBeInstanceOf(PyOpaque);
    }
    const complex = resolveGlobal('torch', 'ComplexFloatStorage', 'test') as StorageType;
    expect({ dtype: complex.dtype, opaque: complex.opaque, itemSize: complex.itemSize }).toEqual({ dtype: null, opaque: 'complex64', itemSize: 8 });
    const storage = new StorageRef('0', null, 16, 'complex64', 8);
    expect(call('torch._utils._rebuild_tensor_v2', [storage, 0, ints(2), ints(1), false, null])).toBeInstanceOf(PyOpaque);
    expect(call('torch._utils._rebuild_tensor_v3', [new StorageRef('0', null, 16), 0, ints(2), ints(1), false, null, resolveGlobal('torch', 'complex64', 'test')])).toBeInstanceOf(PyOpaque);
  });

  it('rebuilds a tensor with Python attributes (_rebuild_from_type_v2 of torch.Tensor) as the tensor itself', () => {
    const v2 = resolveGlobal('torch._utils', '_rebuild_tensor_v2', 'test');
    const args = new PyTuple([floats(2), 0, ints(2), ints(1), false, null]);
    expect(call('torch._tensor._rebuild_from_type_v2', [v2, resolveGlobal('torch', 'Tensor', 'test'), args, null])).toBeInstanceOf(TensorRef);
    expect(call('torch._tensor._rebuild_from_type_v2', [v2, resolveGlobal('torch', 'device', 'test'), args, null])).toBeInstanceOf(PyOpaque);
    const self = resolveGlobal('torch._tensor', '_rebuild_from_type_v2', 'test');
    expect(call('torch._tensor._rebuild_from_type_v2', [self, resolveGlobal('torch', 'Tensor', 'test'), new PyTuple([]), null])).toBeInstanceOf(PyOpaque);
  });

  it('refuses a size tuple of more than 64 dimensions before reading it', () => {
    expect(errorOf(() => call('torch._utils._rebuild_tensor_v2', [floats(1), 0, ints(...new Array(65).fill(1)), ints(...new Array(65).fill(0)), false, null])).code).toBe('E_LIMIT');
  });
});
