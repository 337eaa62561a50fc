/**
 * Finding the state_dict in an unpickled checkpoint (`--key`): `torch.save(model.state_dict())`
 * is a dict of tensors at the top; training checkpoints nest it, `{'model': state_dict,
 * 'optimizer': {...}, 'epoch': 3}`. Only dicts are searched, through str keys, without recursion
 * and at most MAX_DEPTH deep; the values a pickle shares or cycles through are visited once.
 *
 * Cost: a pickle may give one huge str (through its memo) as a key at every level, or as the
 * name of a tensor in a thousand dicts. Key paths longer than MAX_PATH are not followed, and the
 * characters of every path built and every tensor name examined count against `maxChars`
 * (E_LIMIT past it), so the search is linear in the pickle's size. `--key` resolution remembers
 * the (dict, rest of the path) pairs it has tried, so self-referencing dicts cost no more than
 * (dicts × dots) lookups.
 */
import { clip, fail } from '../../errors.js';
import { PyDict, TensorRef, typeName, type PickleValue } from './values.js';

/** Deepest nesting searched for state_dicts; deeper dicts are ignored, as non-tensor data is. */
const MAX_DEPTH = 64;
/** Longest key path followed; dicts under longer ones are ignored, as deeper ones are. */
const MAX_PATH = 1024;
/** Paths named in a message. */
const MAX_LISTED = 20;

/** A state_dict found in a checkpoint: its dot path and its tensors in file order. */
export interface FoundStateDict {
  readonly key: string;
  readonly tensors: ReadonlyMap<string, TensorRef>;
}

/** The chosen state_dict: its tensors in file order, and how it was found. */
export interface StateDictChoice {
  /** The chosen state_dict's tensors; empty when none was chosen (`whenAmbiguous: 'open'`). */
  readonly tensors: ReadonlyMap<string, TensorRef>;
  /** Dot paths of the state_dicts found, when they are nested in a checkpoint. */
  readonly stateDictKeys?: readonly string[];
  /** Every state_dict found, when they are nested (`stateDictKeys` order). */
  readonly stateDicts?: readonly FoundStateDict[];
  /** The dot path used (given, or chosen because it is the only recurrent one). */
  readonly key?: string;
}

/** How to choose, and the search's budget. */
export interface ChooseOptions {
  /** Several recurrent state_dicts and no key: E_AMBIGUOUS_MODULE (`'throw'`) or choose none (`'open'`). */
  readonly whenAmbiguous?: 'throw' | 'open';
  /** Characters of key paths and tensor names the search may examine in all. */
  readonly maxChars?: number;
}

interface Found {
  readonly dict: PyDict;
  readonly path: string;
  readonly parent: number; // index in `found` of the nearest enclosing tensor-holding dict, or −1
  readonly tensors: ReadonlyMap<string, TensorRef>;
}

/** The recurrent-layer parameter names (torch/nn/modules/rnn.py): `weight_ih_l0`, `weight_ih_l1_reverse`, cells' `weight_ih`. */
const RECURRENT = /(^|\.)weight_ih(_l\d+(_reverse)?)?$/;

/**
 * Picks the state_dict: `key` if given (a dot path; an exact key containing dots wins); else the
 * top-level one; else the only nested one holding recurrent parameters (or the only one at all);
 * else E_AMBIGUOUS_MODULE listing the paths. A state_dict is a dict holding tensors with no
 * tensor-holding dict inside it; an optimizer's state (`state` + `param_groups`) never is one.
 */
export function chooseStateDict(root: PickleValue, key: string | undefined, at: string, options: ChooseOptions = {}): StateDictChoice {
  const paths = findStateDicts(root, options.maxChars ?? Number.MAX_SAFE_INTEGER, at);
  const nested = !(paths.length === 1 && paths[0]?.path === '');
  const stateDictKeys = nested ? paths.map((p) => p.path) : undefined;
  const stateDicts = paths.map((p) => ({ key: p.path, tensors: p.tensors }));
  const withKeys = (tensors: ReadonlyMap<string, TensorRef>, k: string | undefined): StateDictChoice => ({
    tensors,
    ...(stateDictKeys !== undefined ? { stateDictKeys, stateDicts } : {}),
    ...(k !== undefined ? { key: k } : {}),
  });

  if (key !== undefined) {
    if (!nested) {
      throw fail('E_BAD_OPTION', { what: 'key', expected: 'no key: this file is a state_dict, not a checkpoint that nests one', got: JSON.stringify(key), at });
    }
    const value = resolveKey(root, key);
    const tensors = value instanceof PyDict ? (paths.find((p) => p.dict === value)?.tensors ?? tensorsOf(value)) : undefined;
    if (tensors === undefined || tensors.size === 0) {
      throw fail('E_KEY_NOT_FOUND', {
        what: 'key',
        expected: `a dict of tensors; state_dicts here: ${listPaths(paths)}`,
        got: value === undefined ? `no entry ${JSON.stringify(key)}` : `${JSON.stringify(key)} holding ${typeName(value)}`,
        at,
      });
    }
    return withKeys(tensors, key);
  }
  if (paths.length === 0) {
    throw fail('E_NO_MODULE', { what: 'state_dict', expected: 'a dict of tensors in the pickle', got: `no dict holding tensors in a ${typeName(root)}`, at });
  }
  if (!nested) return withKeys((paths[0] as Found).tensors, undefined);
  const recurrent = paths.filter((p) => [...p.tensors.keys()].some((name) => RECURRENT.test(name)));
  const only = recurrent.length === 1 ? recurrent[0] : paths.length === 1 ? paths[0] : undefined;
  if (only !== undefined) return withKeys(only.tensors, only.path);
  if (options.whenAmbiguous === 'open') return withKeys(new Map(), undefined);
  throw fail('E_AMBIGUOUS_MODULE', {
    what: 'state_dict in checkpoint',
    expected: `one holding recurrent parameters; choose with --key PATH (API: key), one of ${listPaths(paths)}`,
    got: listPaths(recurrent.length > 1 ? recurrent : paths),
    at,
  });
}

/** At most MAX_LISTED paths, each clipped: a message stays short whatever the checkpoint holds. */
function listPaths(paths: readonly { readonly path: string }[]): string {
  if (paths.length === 0) return 'none';
  const shown = paths.slice(0, MAX_LISTED).map((p) => (p.path === '' ? '(root)' : clip(p.path, 80)));
  return shown.join(', ') + (paths.length > MAX_LISTED ? `, … (${paths.length} in all)` : '');
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

/**
 * Depth-first in insertion order: the dicts holding tensors and no tensor-holding dict below.
 * Every path built and tensor name examined is charged to `maxChars` (E_LIMIT past it).
 */
function findStateDicts(root: PickleValue, maxChars: number, at: string): Found[] {
  if (!(root instanceof PyDict)) return [];
  let chars = 0;
  const charge = (n: number): void => {
    chars += n;
    if (chars > maxChars) {
      throw fail('E_LIMIT', { what: 'characters of key paths and tensor names in the checkpoint', expected: `at most ${maxChars} (proportional to the pickle's size)`, got: 'more', at });
    }
  };
  const found: Found[] = [];
  const hasInner = new Set<number>();
  const seen = new Set<PyDict>([root]);
  const todo: { dict: PyDict; path: string; depth: number; parent: number }[] = [{ dict: root, path: '', depth: 0, parent: -1 }];
  while (todo.length > 0) {
    const { dict, path, depth, parent } = todo.pop() as (typeof todo)[number];
    if (isOptimizerState(dict)) continue;
    let self = parent;
    if ([...dict.entries()].some(([, v]) => v instanceof TensorRef)) {
      const tensors = tensorsOf(dict);
      for (const name of tensors.keys()) charge(name.length + 1);
      self = found.length;
      found.push({ dict, path, parent, tensors });
      for (let p = parent; p >= 0 && !hasInner.has(p); p = (found[p] as Found).parent) hasInner.add(p);
    }
    if (depth >= MAX_DEPTH) continue;
    const children = [...dict.entries()].filter((e): e is readonly [string, PyDict] => typeof e[0] === 'string' && e[1] instanceof PyDict && !seen.has(e[1]));
    for (const [k, child] of children.reverse()) {
      if (path.length + 1 + k.length > MAX_PATH) continue;
      seen.add(child);
      const childPath = path === '' ? k : `${path}.${k}`;
      charge(childPath.length);
      todo.push({ dict: child, path: childPath, depth: depth + 1, parent: self });
    }
  }
  return found.filter((_, i) => !hasInner.has(i));
}

/**
 * The value at a dot path through nested dicts; at each level an exact key with dots wins. A
 * (dict, offset in the path) pair already tried is not tried again: a dict that holds itself
 * under several dotted keys would otherwise cost exponential time in the number of dots.
 */
function resolveKey(root: PickleValue, key: string): PickleValue | undefined {
  const tried = new Map<PyDict, Set<number>>();
  const todo: { value: PickleValue; from: number }[] = [{ value: root, from: 0 }];
  while (todo.length > 0) {
    const { value, from } = todo.pop() as (typeof todo)[number];
    if (!(value instanceof PyDict)) continue;
    const done = tried.get(value) ?? new Set<number>();
    if (done.has(from)) continue;
    tried.set(value, done.add(from));
    const exact = value.get(key.slice(from));
    if (exact !== undefined) return exact;
    // Longer heads are pushed last so they are tried first.
    for (let i = key.indexOf('.', from); i >= 0; i = key.indexOf('.', i + 1)) {
      const head = value.get(key.slice(from, i));
      if (head !== undefined) todo.push({ value: head, from: i + 1 });
    }
  }
  return undefined;
}
