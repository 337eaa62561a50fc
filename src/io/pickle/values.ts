/**
 * What the restricted unpickler builds: plain data only. Python lists are JS arrays, str is
 * string, bytes is Uint8Array, int is number (bigint past 2^53), float is number, None is null.
 * Everything else is one of the classes below; the torch objects (storages, tensors, dtypes)
 * are made only by the allow-list (allowlist.ts).
 */
import { DTYPES, type DType } from '../../dtype.js';
import { fail } from '../../errors.js';

/** Any value a pickle can produce here. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyCallable
  | PyOpaque
  | StorageType
  | DTypeRef
  | StorageRef
  | TensorRef;

/** A Python tuple (immutable, so a distinct type from a list). */
export class PyTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A set or frozenset (protocol 4 EMPTY_SET / FROZENSET, or `builtins.set` in protocol 2). */
export class PySet {
  constructor(readonly items: PickleValue[]) {}
}

/**
 * A dict or OrderedDict, keeping insertion order. Keys are matched by Python equality of
 * hashable values: a str key is its own identity; any other key gets one from `KeyIds`, the
 * unpickler's table (`1 == 1.0 == True`). `state` is what BUILD gave an OrderedDict: a
 * state_dict's `{'_metadata': …}`, kept as plain data.
 */
export class PyDict {
  private readonly map = new Map<string | number, readonly [PickleValue, PickleValue]>();
  state: PickleValue | undefined = undefined;

  /** `ordered`: made by `collections.OrderedDict` (the allow-list), so BUILD may set `state`. */
  constructor(readonly ordered: boolean) {}

  /** Sets `key` → `value`; a key other than a str needs the unpickler's `keys` table. */
  set(key: PickleValue, value: PickleValue, at: string, keys?: KeyIds): void {
    if (typeof key === 'string') this.map.set(key, [key, value]);
    else if (keys === undefined) throw new TypeError('PyDict.set: a non-str key needs the KeyIds of its unpickler');
    else this.map.set(keys.id(key, at), [key, value]);
  }

  get(key: string): PickleValue | undefined {
    return this.map.get(key)?.[1];
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<readonly [PickleValue, PickleValue]> {
    return this.map.values();
  }
}

/**
 * A global resolved through the allow-list that the pickle may call (REDUCE, INST, OBJ) or
 * instantiate (NEWOBJ). `call` is rnnport's own code standing in for the Python callable:
 * nothing from the file is ever run or imported.
 */
export class PyCallable {
  constructor(
    readonly qualname: string,
    readonly call: (args: readonly PickleValue[], at: string, work?: (units: number) => void) => PickleValue,
    readonly newobj?: (args: readonly PickleValue[], at: string, work?: (units: number) => void) => PickleValue,
  ) {}
}

/**
 * A value rnnport recognises but never interprets: a numpy scalar, a `torch.device`, a Python
 * complex, a complex or sparse tensor saved beside the weights, as `torch.load(weights_only=True)`
 * loads them. Never a tensor of a module. BUILD may set its `state`, as data.
 */
export class PyOpaque {
  state: PickleValue | undefined = undefined;
  constructor(
    readonly qualname: string,
    readonly args: readonly PickleValue[],
  ) {}
}

/**
 * `torch.FloatStorage`, … or `torch.storage.UntypedStorage` (dtype `null`, `opaque` null: counted
 * in bytes). A storage class of a dtype rnnport does not read (`torch.ComplexFloatStorage`,
 * `torch.QInt8Storage`) has dtype `null` and `opaque` naming its dtype: its records are checked
 * like any other, and its tensors stay opaque values, never tensors of a module.
 */
export class StorageType {
  readonly itemSize: number;
  constructor(
    readonly qualname: string,
    readonly dtype: DType | null,
    readonly opaque: string | null = null,
    itemSize?: number,
  ) {
    this.itemSize = itemSize ?? (dtype === null ? 1 : DTYPES[dtype].itemSize);
  }
}

/** `torch.float32`, …: the dtype argument of `_rebuild_tensor_v3`; `dtype` null for one rnnport does not read (`torch.complex64`). */
export class DTypeRef {
  readonly qualname: string;
  constructor(
    readonly dtype: DType | null,
    qualname?: string,
  ) {
    this.qualname = qualname ?? (dtype === null ? 'torch.dtype' : `torch.${DTYPES[dtype].torch}`);
  }
}

/**
 * A storage named by persistent_load: the record `key` of `nbytes` bytes, of `dtype` (`null`
 * for an UntypedStorage, whose tensors carry their own dtype, or for an opaque one, `opaque`
 * naming its dtype). The device it was saved from (`location`) does not matter: the bytes are
 * the same.
 */
export class StorageRef {
  readonly itemSize: number;
  constructor(
    readonly key: string,
    readonly dtype: DType | null,
    readonly nbytes: number,
    readonly opaque: string | null = null,
    itemSize?: number,
  ) {
    this.itemSize = itemSize ?? (dtype === null ? 1 : DTYPES[dtype].itemSize);
  }
}

/** A tensor: a strided view of a storage (`torch._utils._rebuild_tensor_v2` arguments). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: DType,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** The Python type name of a value, for messages. */
export function typeName(v: PickleValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyCallable || v instanceof PyOpaque || v instanceof StorageType) return v.qualname;
  if (v instanceof DTypeRef) return 'torch.dtype';
  if (v instanceof StorageRef) return 'storage';
  return 'torch.Tensor';
}

/**
 * Identities of the dict keys one unpickler meets, so that keys Python considers equal
 * (`1 == 1.0 == True`, equal tuples, equal bytes) share one. Each key object is examined once
 * (its identity is remembered), and a tuple's identity is built from its items' identities, so
 * the cost of all keys together is bounded by the pickle's size however often a pickle reuses a
 * huge str, bytes or tuple key through its memo. Lists and dicts are unhashable, as in Python.
 */
export class KeyIds {
  /** Canonical text of a value key → its identity. */
  private readonly canonical = new Map<string, number>();
  /** str → its identity inside tuples. */
  private readonly strings = new Map<string, number>();
  /** Identities already worked out for objects (tuples, bytes, globals, opaque values). */
  private readonly objects = new WeakMap<object, number>();

  /** The identity of `key`: the str itself, or a number. Unhashable keys are E_PICKLE_OPCODE. */
  id(key: PickleValue, at: string): string | number {
    return typeof key === 'string' ? key : this.valueId(key, at);
  }

  private intern(text: string): number {
    let id = this.canonical.get(text);
    if (id === undefined) this.canonical.set(text, (id = this.canonical.size));
    return id;
  }

  private stringId(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) this.strings.set(s, (id = this.strings.size));
    return id;
  }

  private valueId(key: PickleValue, at: string): number {
    if (key === null) return this.intern('N');
    if (typeof key === 'boolean') return this.intern(key ? 'i1' : 'i0');
    if (typeof key === 'number') return this.intern(Number.isInteger(key) ? `i${key}` : `f${key}`);
    if (typeof key === 'bigint') return this.intern(`i${key}`);
    if (typeof key === 'string') return this.intern(`s${this.stringId(key)}`);
    if (Array.isArray(key) || key instanceof PyDict) {
      throw fail('E_PICKLE_OPCODE', { what: 'dict key', expected: 'a hashable value', got: typeName(key), at });
    }
    const known = this.objects.get(key);
    if (known !== undefined) return known;
    let id: number;
    if (key instanceof Uint8Array) id = this.intern(`y${LATIN1.decode(key)}`);
    else if (key instanceof PyTuple) id = this.tupleId(key, at);
    else if (key instanceof DTypeRef || key instanceof StorageType || key instanceof PyCallable) id = this.intern(`g${key.qualname}`);
    else id = this.intern(`o${this.canonical.size}`); // compared by identity (opaque values, sets, tensors)
    this.objects.set(key, id);
    return id;
  }

  /** A tuple's identity from its items', nested tuples first (an explicit stack: no recursion). */
  private tupleId(root: PyTuple, at: string): number {
    const todo: PyTuple[] = [root];
    while (todo.length > 0) {
      const t = todo[todo.length - 1] as PyTuple;
      const pending = t.items.filter((v): v is PyTuple => v instanceof PyTuple && !this.objects.has(v));
      if (pending.length > 0) {
        for (const p of pending) todo.push(p); // not push(...pending): a tuple may hold a million tuples
        continue;
      }
      todo.pop();
      if (this.objects.has(t)) continue;
      const parts = t.items.map((v) => (typeof v === 'string' ? `s${this.stringId(v)}` : String(this.valueId(v, at))));
      this.objects.set(t, this.intern(`(${parts.join(',')})`));
    }
    return this.objects.get(root) as number;
  }
}

const LATIN1 = new TextDecoder('latin1');
