/**
 * What the restricted unpickler builds: plain data only. Python lists are JS arrays, str is
 * string, bytes is Uint8Array, int is number (bigint past 2^53), float is number, None is null.
 * Everything else is one of the classes below; the torch objects (storages, tensors, dtypes)
 * are made only by the allow-list (allowlist.ts).
 */
import type { DType } from '../../dtype.js';
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
 * hashable values (see `hashKey`). `state` is what BUILD gave an OrderedDict: a state_dict's
 * `{'_metadata': …}`, kept as plain data.
 */
export class PyDict {
  private readonly map = new Map<string, readonly [PickleValue, PickleValue]>();
  state: PickleValue | undefined = undefined;

  /** `ordered`: made by `collections.OrderedDict` (the allow-list), so BUILD may set `state`. */
  constructor(readonly ordered: boolean) {}

  set(key: PickleValue, value: PickleValue, at: string): void {
    this.map.set(hashKey(key, at), [key, value]);
  }

  get(key: string): PickleValue | undefined {
    return this.map.get(hashKey(key, ''))?.[1];
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
    readonly call: (args: readonly PickleValue[], at: string) => PickleValue,
    readonly newobj?: (args: readonly PickleValue[], at: string) => PickleValue,
  ) {}
}

/**
 * A value rnnport recognises but never interprets (a numpy scalar saved beside the weights):
 * BUILD may set its `state`, as data.
 */
export class PyOpaque {
  state: PickleValue | undefined = undefined;
  constructor(
    readonly qualname: string,
    readonly args: readonly PickleValue[],
  ) {}
}

/** `torch.FloatStorage`, … or `torch.storage.UntypedStorage` (dtype `null`: counted in bytes). */
export class StorageType {
  constructor(
    readonly qualname: string,
    readonly dtype: DType | null,
  ) {}
}

/** `torch.float32`, …: the dtype argument of `_rebuild_tensor_v3`. */
export class DTypeRef {
  constructor(readonly dtype: DType) {}
}

/**
 * A storage named by persistent_load: the record `key` of `nbytes` bytes, of `dtype` (`null`
 * for an UntypedStorage, whose tensors carry their own dtype). The device it was saved from
 * (`location`) does not matter: the bytes are the same.
 */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType | null,
    readonly nbytes: number,
  ) {}
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

/** Longest tuple key (counted in nested items) hashed before giving up: keys are small in practice. */
const MAX_KEY_ITEMS = 4096;

/**
 * A string equal for keys Python considers equal (`1 == 1.0 == True`), made without recursion.
 * Unhashable keys (list, dict, set) are rejected, as Python's unpickler does.
 */
function hashKey(key: PickleValue, at: string): string {
  const parts: string[] = [];
  const todo: (PickleValue | ')')[] = [key];
  let count = 0;
  while (todo.length > 0) {
    const v = todo.pop() as PickleValue | ')';
    if (++count > MAX_KEY_ITEMS) {
      throw fail('E_LIMIT', { what: 'dict key', expected: `at most ${MAX_KEY_ITEMS} nested items`, got: 'more', at });
    }
    if (v === ')') parts.push(')');
    else if (v === null) parts.push('N');
    else if (typeof v === 'boolean') parts.push(v ? 'i1' : 'i0');
    else if (typeof v === 'number') parts.push(Number.isInteger(v) ? `i${v}` : `f${v}`);
    else if (typeof v === 'bigint') parts.push(`i${v}`);
    else if (typeof v === 'string') parts.push(`s${v.length}:${v}`);
    else if (v instanceof Uint8Array) parts.push(`y${v.length}:${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`);
    else if (v instanceof PyTuple) {
      parts.push('(');
      todo.push(')');
      for (let i = v.items.length - 1; i >= 0; i--) todo.push(v.items[i] as PickleValue);
    } else if (v instanceof DTypeRef || v instanceof StorageType || v instanceof PyCallable) {
      parts.push(`g${typeName(v)}:${v instanceof DTypeRef ? v.dtype : ''}`);
    } else {
      throw fail('E_PICKLE_OPCODE', { what: 'dict key', expected: 'a hashable value', got: typeName(v), at });
    }
  }
  return parts.join(',');
}
