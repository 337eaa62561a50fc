/**
 * What every format's opener returns and how it becomes a `WeightsIndex`: the types shared by
 * load.ts (sniffing, dispatch) and the openers (safetensors.ts, npy.ts, npz.ts, torch.ts, …), in
 * a file of their own so that imports run one way (load.ts → openers → this file).
 */
import { badArgument, fail } from '../errors.js';
import type { StateDict, Tensor, TensorInfo } from '../tensor.js';
import { checkLimit, type Limits } from './limits.js';

/** The formats rnnport reads. */
export type WeightsFormat = 'safetensors' | 'npz' | 'npy' | 'npy-dir' | 'pt';

/** Options of every loader. */
export interface LoadOptions {
  /** Overrides of DEFAULT_LIMITS. */
  readonly limits?: Partial<Limits>;
  /** .pt only: dot path of a nested state_dict (`model`, `ema.model`). Other formats: E_BAD_OPTION. */
  readonly key?: string;
  /**
   * .pt only, without `key`: what to do when several nested state_dicts hold recurrent modules
   * (`model` and `ema`). `'throw'`: E_AMBIGUOUS_MODULE listing their paths. `'open'`: open the
   * checkpoint choosing none (`tensors` is empty; `stateDicts` lists every one), as
   * `rnnport inspect` does.
   * @defaultValue 'throw'
   */
  readonly whenAmbiguous?: 'throw' | 'open';
}

/** A tensor as a header describes it, before its bytes are read. */
export type TensorEntry = TensorInfo & { readonly byteLength: number };

/** A state_dict nested in a .pt checkpoint: the `key` that selects it and its tensors. */
export interface NestedStateDict {
  readonly key: string;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
}

/** An opened weights source: headers parsed and validated, tensor bytes read by `load`. */
export interface WeightsIndex {
  readonly format: WeightsFormat;
  /** The source's name (file path, or `<bytes>`). */
  readonly name: string;
  /** safetensors `__metadata__` (an object without prototype: every key is data); empty for other formats. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Every tensor of the chosen state_dict, in file order. */
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /** .pt: the dot paths of the nested dicts that hold tensors (for `--key`). */
  readonly stateDictKeys?: readonly string[];
  /** .pt: every nested state_dict with its dot path and tensors (`stateDictKeys` order). */
  readonly stateDicts?: readonly NestedStateDict[];
  /** .pt: the key used; absent when none was chosen (`whenAmbiguous: 'open'`). */
  readonly key?: string;
  /**
   * Reads tensors (all, or the given names) into a state_dict in file order. An unknown name is
   * E_KEY_NOT_FOUND; more than `limits.maxTotalBytes` in all is E_LIMIT.
   */
  load(names?: Iterable<string>): StateDict;
}

/** What a format's opener returns: validated headers and a reader for one tensor. */
export interface OpenedTensors {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /** Reads one tensor named in `tensors`. */
  read(name: string): Tensor;
  /** Reads several (all named in `tensors`, file order) when the format can share work between them. */
  readMany?(names: readonly string[]): Map<string, Tensor>;
}

/** How a .pt source nests its state_dicts (torch.ts fills it in). */
export interface Nesting {
  readonly stateDictKeys: readonly string[];
  readonly stateDicts: readonly NestedStateDict[];
  readonly key?: string;
}

/** An empty metadata object: no prototype, so keys such as `__proto__` or `toString` are data. */
export function emptyMetadata(): Readonly<Record<string, string>> {
  return Object.freeze(Object.create(null) as Record<string, string>);
}

/** Wraps an opener's result into a WeightsIndex (shared by every format, .pt included). */
export function makeIndex(format: WeightsFormat, name: string, opened: OpenedTensors, limits: Limits, nesting?: Nesting): WeightsIndex {
  const index: WeightsIndex = {
    format,
    name,
    metadata: opened.metadata,
    tensors: opened.tensors,
    load(names?: Iterable<string>): StateDict {
      const wanted = names === undefined ? undefined : wantedNames(names);
      let total = 0;
      for (const n of wanted ?? opened.tensors.keys()) {
        const entry = opened.tensors.get(n);
        if (entry === undefined) throw fail('E_KEY_NOT_FOUND', { what: 'tensor', expected: `one of the ${opened.tensors.size} tensors of ${name}`, got: JSON.stringify(n), at: name });
        total += entry.byteLength;
      }
      checkLimit(limits, 'maxTotalBytes', total, 'tensor bytes to load', name);
      const order = [...opened.tensors.keys()].filter((n) => wanted === undefined || wanted.has(n));
      if (opened.readMany !== undefined) return opened.readMany(order);
      return new Map(order.map((n) => [n, opened.read(n)]));
    },
  };
  return nesting === undefined ? index : { ...index, ...nesting };
}

function wantedNames(names: Iterable<string>): Set<string> {
  if (typeof names !== 'object' || names === null || typeof (names as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw badArgument('WeightsIndex.load(names)', 'an iterable of tensor names, or nothing', names);
  }
  const out = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string') throw badArgument('WeightsIndex.load(names)', 'tensor names (strings)', n);
    out.add(n);
  }
  return out;
}
