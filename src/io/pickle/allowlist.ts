/**
 * The pickle allow-list: (module, name) → what GLOBAL pushes. This is a security boundary, not a
 * shortcut (tinygrad's is "not for security"; ours is): a name missing here is E_PICKLE_GLOBAL,
 * and the entries that are "called" run rnnport's own code below, which only builds data.
 * Each entry says which real files need it. Compare PyTorch's own list,
 * torch/_weights_only_unpickler.py (_get_allowed_globals).
 */
import { DTYPE_NAMES, DTYPES, itemSize, type DType } from '../../dtype.js';
import { fail } from '../../errors.js';
import { checkRank } from '../limits.js';
import { formatShape } from '../../tensor.js';
import { DTypeRef, PyCallable, PyDict, PyOpaque, PySet, PyTuple, StorageRef, StorageType, TensorRef, typeName, type PickleValue } from './values.js';

const RESAVE = 'torch.save(model.state_dict(), path) with a current PyTorch, or save as safetensors';

/** Charges work to the unpickler (vm.ts); a no-op when a stand-in is called outside one (tests). */
type Work = (units: number) => void;
const NO_WORK: Work = () => {};

/** A value torch's weights_only unpickler builds and rnnport keeps as opaque data. */
const opaque = (q: string): readonly [string, () => PickleValue] => [q, () => new PyCallable(q, (a) => new PyOpaque(q, a), (a) => new PyOpaque(q, a))];
/** A constant torch's weights_only unpickler allows (a qscheme, a class passed as an argument). */
const constant = (q: string): readonly [string, () => PickleValue] => [q, () => new PyOpaque(q, [])];

/**
 * Storage classes of dtypes rnnport does not read, with their item sizes (torch._storage_classes):
 * their records are size-checked like any other, their tensors stay opaque.
 */
const OPAQUE_STORAGES: readonly (readonly [string, string, number])[] = [
  ['ComplexFloatStorage', 'complex64', 8],
  ['ComplexDoubleStorage', 'complex128', 16],
  ['QInt8Storage', 'qint8', 1],
  ['QUInt8Storage', 'quint8', 1],
  ['QInt32Storage', 'qint32', 4],
  ['QUInt4x2Storage', 'quint4x2', 1],
  ['QUInt2x4Storage', 'quint2x4', 1],
];

/** torch dtypes without a row in dtype.ts: allowed as values (`torch.complex64`), never as a tensor's dtype. */
const OPAQUE_DTYPES: readonly string[] = [
  'complex32', 'complex64', 'complex128', 'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4',
  'bits1x8', 'bits2x4', 'bits4x2', 'bits8', 'bits16', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2',
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((n) => [`uint${n}`, `int${n}`]),
];

const TABLE = new Map<string, () => PickleValue>([
  // Every state_dict is an OrderedDict, written as REDUCE(OrderedDict, ()) then SETITEMS and a
  // BUILD of {'_metadata': …} (kept as data on PyDict.state).
  ['collections.OrderedDict', () => new PyCallable('collections.OrderedDict', orderedDict, orderedDict)],
  // Every tensor since PyTorch 0.4: _rebuild_tensor_v2(storage, storage_offset, size, stride,
  // requires_grad, backward_hooks[, metadata]).
  ['torch._utils._rebuild_tensor_v2', () => new PyCallable('torch._utils._rebuild_tensor_v2', (a, at, w) => rebuildTensor(a, 2, at, w))],
  // PyTorch 2.x for dtypes without a typed storage class (uint16/32/64, float8): an
  // UntypedStorage plus the dtype as the 7th argument.
  ['torch._utils._rebuild_tensor_v3', () => new PyCallable('torch._utils._rebuild_tensor_v3', (a, at, w) => rebuildTensor(a, 3, at, w))],
  // What _rebuild_tensor_v2 calls, and PyTorch 0.3 wrote directly: (storage, offset, size, stride).
  ['torch._utils._rebuild_tensor', () => new PyCallable('torch._utils._rebuild_tensor', (a, at, w) => rebuildTensor(a, 1, at, w))],
  // nn.Parameter (a module's parameters saved without .state_dict(), e.g. a dict of parameters):
  // _rebuild_parameter(data, requires_grad, backward_hooks) → the tensor itself.
  ['torch._utils._rebuild_parameter', () => new PyCallable('torch._utils._rebuild_parameter', (a, at) => parameterData(a, 3, at))],
  // The same for a Parameter carrying Python attributes (PyTorch ≥ 2.0); the state is ignored.
  ['torch._utils._rebuild_parameter_with_state', () => new PyCallable('torch._utils._rebuild_parameter_with_state', (a, at) => parameterData(a, 4, at))],
  // A tensor with Python attributes (`t.note = 1`): _rebuild_from_type_v2(func, type, args, state).
  // A plain torch.Tensor / nn.Parameter is the tensor `func(*args)` builds; anything else is opaque.
  ['torch._tensor._rebuild_from_type_v2', () => new PyCallable('torch._tensor._rebuild_from_type_v2', (a, at, w) => rebuildFromType(a, at, w ?? NO_WORK))],
  ...['torch.Tensor', 'torch.nn.parameter.Parameter'].map(constant),
  // The storage type in every persistent id of PyTorch 2.x tensors of dtypes without a typed
  // storage class (_rebuild_tensor_v3); its numel counts bytes.
  ['torch.storage.UntypedStorage', () => new StorageType('torch.storage.UntypedStorage', null)],
  // torch.Size saved beside the weights (shapes in a checkpoint): a tuple.
  ['torch.Size', () => new PyCallable('torch.Size', (a, at) => torchSize(a, at))],
  // Protocol 2 has no bytes opcode: Python 3 writes bytes as _codecs.encode(text, 'latin1').
  ['_codecs.encode', () => new PyCallable('_codecs.encode', (a, at, w) => codecsEncode(a, at, w ?? NO_WORK))],
  // Protocol 2 has no set opcodes: sets are REDUCE(builtins.set, ([items],)) (`__builtin__` from Python 2).
  ...['builtins.set', 'builtins.frozenset', '__builtin__.set', '__builtin__.frozenset'].map(
    (q) => [q, () => new PyCallable(q, (a, at, w) => makeSet(q, a, at, w ?? NO_WORK))] as const,
  ),
  // Training scripts save numpy scalars (best accuracy, step) and argparse options beside the
  // weights. rnnport never reads them: they stay opaque data, BUILD sets their state as data.
  ...['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar', 'numpy.dtype', 'argparse.Namespace'].map(opaque),
  // What torch.load(weights_only=True) also loads beside the weights (torch/_weights_only_unpickler.py,
  // _get_allowed_globals): devices, Python complex numbers, bytearrays, Counters, layouts, and
  // tensors rnnport does not run (sparse, quantized, nested, meta, subclasses). All opaque: the
  // tensors inside them are size-checked like any other, but never become tensors of a module.
  ...[
    'torch.device', 'builtins.complex', '__builtin__.complex', 'builtins.bytearray', '__builtin__.bytearray', 'collections.Counter',
    'torch.serialization._get_layout', 'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_qtensor',
    'torch._utils._rebuild_nested_tensor', 'torch._utils._rebuild_meta_tensor_no_storage', 'torch._utils._rebuild_wrapper_subclass',
    'torch._utils._rebuild_device_tensor_from_numpy', 'torch._utils._rebuild_device_tensor_from_cpu_tensor',
  ].map(opaque),
  ...['per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric', 'per_channel_affine_float_qparams'].map((q) => constant(`torch.${q}`)),
  // The typed storage classes (torch.FloatStorage, …) name the dtype of a storage in every
  // persistent id PyTorch 0.4 – 2.x writes; PyTorch < 1.13 wrote torch.cuda.FloatStorage, …
  // for tensors saved from a GPU (the bytes are the same; the location says 'cuda:0').
  ...DTYPE_NAMES.flatMap((d) => {
    const storage = DTYPES[d].storage;
    return storage === null ? [] : [`torch.${storage}`, `torch.cuda.${storage}`].map((q) => [q, () => new StorageType(q, d)] as const);
  }),
  ...OPAQUE_STORAGES.flatMap(([storage, dtype, size]) => [`torch.${storage}`, `torch.cuda.${storage}`].map((q) => [q, () => new StorageType(q, null, dtype, size)] as const)),
  // torch.float32, …: the dtype argument of _rebuild_tensor_v3.
  ...DTYPE_NAMES.map((d) => [`torch.${DTYPES[d].torch}`, () => new DTypeRef(d)] as const),
  ...OPAQUE_DTYPES.map((d) => [`torch.${d}`, () => new DTypeRef(null, `torch.${d}`)] as const),
]);

/**
 * What GLOBAL `module.name` pushes, or E_PICKLE_GLOBAL naming it. Pickled whole modules and
 * TorchScript classes get a message saying how to re-save the weights.
 */
export function resolveGlobal(module: string, name: string, at: string): PickleValue {
  const qualname = `${module}.${name}`;
  const make = TABLE.get(qualname);
  if (make !== undefined) return make();
  let expected = `a name on rnnport's pickle allow-list (tensors, storages, OrderedDict); to keep only the weights: ${RESAVE}`;
  if (module === '__main__' || module.startsWith('torch.nn.modules')) {
    expected = `a state_dict, not a pickled module (${qualname}); re-save with ${RESAVE}`;
  } else if (module.startsWith('__torch__')) {
    expected = `a torch.save state_dict, not a TorchScript archive; re-save with torch.save(torch.jit.load(path).state_dict(), path)`;
  }
  throw fail('E_PICKLE_GLOBAL', { what: 'pickle global', expected, got: qualname, at });
}

/** True when `qualname` is on the allow-list (tests and docs). */
export function isAllowed(qualname: string): boolean {
  return TABLE.has(qualname);
}

// ---- the stand-ins -----------------------------------------------------------------------------

function badArgs(what: string, expected: string, got: string, at: string): never {
  throw fail('E_PICKLE_OPCODE', { what, expected, got, at });
}

function orderedDict(args: readonly PickleValue[], at: string): PyDict {
  if (args.length !== 0) badArgs('collections.OrderedDict arguments', 'none (items follow with SETITEMS)', `${args.length}`, at);
  return new PyDict(true);
}

function nonNegativeInt(v: PickleValue | undefined, what: string, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return badArgs(what, 'a non-negative int', v === undefined ? 'nothing' : typeName(v) === 'int' ? String(v) : typeName(v), at);
  return v;
}

function intTuple(v: PickleValue | undefined, what: string, at: string): number[] {
  if (!(v instanceof PyTuple)) return badArgs(what, 'a tuple of ints', v === undefined ? 'nothing' : typeName(v), at);
  checkRank(v.items.length, what, at); // before a memoised million-item tuple is read, per tensor
  return v.items.map((x, i) => nonNegativeInt(x, `${what}[${i}]`, at));
}

/**
 * _rebuild_tensor_v2 / _v3: a view `size`/`stride` at `storage_offset` (in elements) of a storage.
 * Torch 1.13 does not check that the view lies inside the storage; we do: the last element,
 * offset + Σ (size_i − 1)·stride_i, must be below the storage's element count.
 */
function rebuildTensor(args: readonly PickleValue[], version: 1 | 2 | 3, at: string, work: Work = NO_WORK): TensorRef | PyOpaque {
  const fn = version === 1 ? '_rebuild_tensor' : `_rebuild_tensor_v${version}`;
  const [min, max] = version === 1 ? [4, 4] : version === 2 ? [6, 7] : [7, 8];
  if (args.length < min || args.length > max) badArgs(`${fn} arguments`, `${min} to ${max}`, String(args.length), at);
  work(args.length);
  const storage = args[0];
  if (!(storage instanceof StorageRef)) return badArgs(`${fn} storage`, 'a storage (persistent id)', typeName(storage as PickleValue), at);
  let dtype: DType;
  const dtypeArg = args[6] as PickleValue;
  if (version !== 3) {
    if (storage.opaque !== null) return new PyOpaque(`torch.Tensor (${storage.opaque})`, args);
    if (storage.dtype === null) return badArgs(`${fn} storage`, 'a typed storage', 'an UntypedStorage', at);
    dtype = storage.dtype;
  } else {
    if (!(dtypeArg instanceof DTypeRef)) return badArgs(`${fn} dtype`, 'a torch.dtype', typeName(dtypeArg), at);
    if (dtypeArg.dtype === null || storage.opaque !== null) return new PyOpaque(`torch.Tensor (${dtypeArg.qualname})`, args);
    dtype = dtypeArg.dtype;
  }
  const offset = nonNegativeInt(args[1], `${fn} storage_offset`, at);
  const shape = intTuple(args[2], `${fn} size`, at);
  const stride = intTuple(args[3], `${fn} stride`, at);
  if (stride.length !== shape.length) badArgs(`${fn} stride`, `${shape.length} entries (one per dimension)`, String(stride.length), at);
  const size = itemSize(dtype);
  if (storage.nbytes % size !== 0) {
    throw fail('E_STORAGE_BOUNDS', { what: `storage '${storage.key}'`, expected: `a multiple of ${size} bytes (${dtype})`, got: `${storage.nbytes} bytes`, at });
  }
  const elements = storage.nbytes / size;
  let last = offset; // index of the last element the view touches
  let empty = false;
  for (const [i, n] of shape.entries()) {
    if (n === 0) empty = true;
    else if ((stride[i] as number) > 0) last += Math.min(n - 1, elements) * (stride[i] as number);
  }
  if (!empty && last >= elements) {
    throw fail('E_STORAGE_BOUNDS', {
      what: `tensor view (size ${formatShape(shape)}, stride ${formatShape(stride)}, offset ${offset})`,
      expected: `elements below ${elements} (storage '${storage.key}', ${storage.nbytes} bytes of ${dtype})`,
      got: `element ${last}`,
      at,
    });
  }
  return new TensorRef(storage, dtype, offset, shape, stride);
}

function parameterData(args: readonly PickleValue[], count: number, at: string): TensorRef | PyOpaque {
  const data = args[0];
  if (args.length === count && data instanceof PyOpaque) return data; // a Parameter of a dtype rnnport does not read
  if (args.length !== count || !(data instanceof TensorRef)) {
    return badArgs('_rebuild_parameter arguments', `${count}, the first a tensor`, `${args.length}, the first ${data === undefined ? 'nothing' : typeName(data)}`, at);
  }
  return data;
}

function torchSize(args: readonly PickleValue[], at: string): PyTuple {
  const [t] = args;
  if (args.length !== 1 || !(t instanceof PyTuple)) return badArgs('torch.Size arguments', 'one tuple', `${args.length} arguments`, at);
  return t;
}

function codecsEncode(args: readonly PickleValue[], at: string, work: Work): Uint8Array {
  const [text, encoding] = args;
  if (args.length !== 2 || typeof text !== 'string' || encoding !== 'latin1') {
    return badArgs('_codecs.encode arguments', "(str, 'latin1')", `${args.length} arguments`, at);
  }
  work(text.length);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) badArgs('_codecs.encode text', 'Latin-1 characters', `U+${c.toString(16)}`, at);
    out[i] = c;
  }
  return out;
}

function makeSet(qualname: string, args: readonly PickleValue[], at: string, work: Work): PySet {
  const [items] = args;
  if (args.length === 0) return new PySet([]);
  if (args.length !== 1 || !Array.isArray(items)) return badArgs(`${qualname} arguments`, 'one list', `${args.length} arguments`, at);
  work(items.length);
  return new PySet([...items]);
}

const TENSOR_BUILDERS = new Set(['torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3', 'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);

/** _rebuild_from_type_v2(func, new_type, args, state): the tensor `func(*args)` for a plain Tensor / Parameter. */
function rebuildFromType(args: readonly PickleValue[], at: string, work: Work): PickleValue {
  const [func, type, inner] = args;
  if (args.length !== 4 || !(func instanceof PyCallable) || !(inner instanceof PyTuple)) {
    return badArgs('_rebuild_from_type_v2 arguments', '(func, type, args, state)', `${args.length} arguments`, at);
  }
  // Only the tensor builders, which call nothing themselves: no chain of calls through nested arguments.
  if (!TENSOR_BUILDERS.has(func.qualname)) return new PyOpaque('torch._tensor._rebuild_from_type_v2', args);
  const made = func.call(inner.items, at, work);
  const plain = type instanceof PyOpaque && (type.qualname === 'torch.Tensor' || type.qualname === 'torch.nn.parameter.Parameter');
  return made instanceof TensorRef && plain ? made : new PyOpaque('torch._tensor._rebuild_from_type_v2', args);
}
