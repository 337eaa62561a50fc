/**
 * Finding the state_dict in an unpickled checkpoint (../shared/CONTRACTS.md, "--key"):
 * `torch.save(model.state_dict())` is a dict of tensors at the top; training checkpoints nest it,
 * `{'model': state_dict, 'optimizer': {...}, 'epoch': 3}`. Only dicts are searched, through str
 * keys, without recursion and at most MAX_DEPTH deep; the values a pickle shares or cycles
 * through are visited once.
 */
import { fail } from '../../errors.js';
import { PyDict, TensorRef, typeName, type PickleValue } from './values.js';

/** Deepest nesting searched for state_dicts; deeper dicts are ignored, as non-tensor data is. */
const MAX_DEPTH = 64;

/** The chosen state_dict: its tensors in file order, and how it was found. */
export interface StateDictChoice {
  readonly tensors: ReadonlyMap<string, TensorRef>;
  /** Dot paths of the state_dicts found, when they are nested in a checkpoint. */
  readonly stateDictKeys?: readonly string[];
  /** The dot path used (given, or chosen because it is the only recurrent one). */
  readonly key?: string;
}

interface Found {
  readonly dict: PyDict;
  readonly path: string;
  readonly parent: number; // index in `found` of the nearest enclosing tensor-holding dict, or −1
}

/** The recurrent-layer parameter names (SEMANTICS.md): `weight_ih_l0`, `weight_ih_l1_reverse`, cells' `weight_ih`. */
const RECURRENT = /(^|\.)weight_ih(_l\d+(_reverse)?)?$/;

/**
 * Picks the state_dict: `key` if given (a dot path; an exact key containing dots wins); else the
 * top-level one; else the only nested one holding recurrent parameters (or the only one at all);
 * else E_AMBIGUOUS_MODULE listing the paths. A state_dict is a dict holding tensors with no
 * tensor-holding dict inside it; an optimizer's state (`state` + `param_groups`) never is one.
 */
export function chooseStateDict(root: PickleValue, key: string | undefined, at: string): StateDictChoice {
  const paths = findStateDicts(root);
  const nested = !(paths.length === 1 && paths[0]?.path === '');
  const stateDictKeys = nested ? paths.map((p) => p.path) : undefined;
  const withKeys = (dict: PyDict, k: string | undefined): StateDictChoice => ({
    tensors: tensorsOf(dict),
    ...(stateDictKeys !== undefined ? { stateDictKeys } : {}),
    ...(k !== undefined ? { key: k } : {}),
  });

  if (key !== undefined) {
    if (!nested) {
      throw fail('E_BAD_OPTION', { what: 'key', expected: 'no key: this file is a state_dict, not a checkpoint that nests one', got: JSON.stringify(key), at });
    }
    const value = resolveKey(root, key);
    if (!(value instanceof PyDict) || tensorsOf(value).size === 0) {
      throw fail('E_KEY_NOT_FOUND', {
        what: 'key',
        expected: `a dict of tensors; state_dicts here: ${listPaths(paths)}`,
        got: value === undefined ? `no entry ${JSON.stringify(key)}` : `${JSON.stringify(key)} holding ${typeName(value)}`,
        at,
      });
    }
    return withKeys(value, key);
  }
  if (paths.length === 0) {
    throw fail('E_NO_MODULE', { what: 'state_dict', expected: 'a dict of tensors in the pickle', got: `no dict holding tensors in a ${typeName(root)}`, at });
  }
  if (!nested) return withKeys((paths[0] as Found).dict, undefined);
  const recurrent = paths.filter((p) => [...tensorsOf(p.dict).keys()].some((name) => RECURRENT.test(name)));
  const only = recurrent.length === 1 ? recurrent[0] : paths.length === 1 ? paths[0] : undefined;
  if (only !== undefined) return withKeys(only.dict, only.path);
  throw fail('E_AMBIGUOUS_MODULE', {
    what: 'state_dict in checkpoint',
    expected: `one holding recurrent parameters; choose with --key PATH (API: key), one of ${listPaths(paths)}`,
    got: listPaths(recurrent.length > 1 ? recurrent : paths),
    at,
  });
}

function listPaths(paths: readonly { readonly path: string }[]): string {
  return paths.length === 0 ? 'none' : paths.map((p) => (p.path === '' ? '(root)' : p.path)).join(', ');
}

/** The str-keyed tensor entries of a dict, in order; other entries are ignored. */
function tensorsOf(dict: PyDict): Map<string, TensorRef> {
  const out = new Map<string, TensorRef>();
  for (const [k, v] of dict.entries()) if (typeof k === 'string' && v instanceof TensorRef) out.set(k, v);
  return out;
}

function isOptimizerState(dict: PyDict): boolean {
  return dict.get('state') !== undefined && dict.get('param_groups') !== undefined;
}

/** Depth-first in insertion order: the dicts holding tensors and no tensor-holding dict below. */
function findStateDicts(root: PickleValue): Found[] {
  if (!(root instanceof PyDict)) return [];
  const found: Found[] = [];
  const hasInner = new Set<number>();
  const seen = new Set<PyDict>([root]);
  const todo: { dict: PyDict; path: string; depth: number; parent: number }[] = [{ dict: root, path: '', depth: 0, parent: -1 }];
  while (todo.length > 0) {
    const { dict, path, depth, parent } = todo.pop() as (typeof todo)[number];
    if (isOptimizerState(dict)) continue;
    let self = parent;
    if ([...dict.entries()].some(([, v]) => v instanceof TensorRef)) {
      self = found.length;
      found.push({ dict, path, parent });
      for (let p = parent; p >= 0 && !hasInner.has(p); p = (found[p] as Found).parent) hasInner.add(p);
    }
    if (depth >= MAX_DEPTH) continue;
    const children = [...dict.entries()].filter((e): e is readonly [string, PyDict] => typeof e[0] === 'string' && e[1] instanceof PyDict && !seen.has(e[1]));
    for (const [k, child] of children.reverse()) {
      seen.add(child);
      todo.push({ dict: child, path: path === '' ? k : `${path}.${k}`, depth: depth + 1, parent: self });
    }
  }
  return found.filter((_, i) => !hasInner.has(i));
}

/** The value at a dot path through nested dicts; at each level an exact key with dots wins. */
function resolveKey(root: PickleValue, key: string): PickleValue | undefined {
  const todo: { value: PickleValue; rest: string }[] = [{ value: root, rest: key }];
  while (todo.length > 0) {
    const { value, rest } = todo.pop() as (typeof todo)[number];
    if (!(value instanceof PyDict)) continue;
    const exact = value.get(rest);
    if (exact !== undefined) return exact;
    // Longer heads are pushed last so they are tried first.
    for (let i = rest.indexOf('.'); i >= 0; i = rest.indexOf('.', i + 1)) {
      const head = value.get(rest.slice(0, i));
      if (head !== undefined) todo.push({ value: head, rest: rest.slice(i + 1) });
    }
  }
  return undefined;
}
