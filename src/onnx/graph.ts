/**
 * A small in-memory ONNX graph: nodes, initializers and typed inputs / outputs, with unique value
 * names shared by a graph and its subgraphs (a Scan body may read the outer graph's values, and
 * ONNX forbids shadowing them). serialize.ts turns it into ONNX's protobuf messages; the lowering
 * files (native.ts, scan.ts, export.ts) only ever call the helpers here.
 */
import { fail } from '../errors.js';

/** Element types the exported graphs use. */
export type ElemType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** A static size or a named dynamic axis (`batch`, `seq_len`). */
export type Dim = number | string;

/** A typed graph input or output. `shape: null` leaves the shape to inference. */
export interface ValueInfo {
  readonly name: string;
  readonly elem: ElemType;
  readonly shape: readonly Dim[] | null;
}

/** Data of an initializer, of its element type. */
export type InitData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** A constant tensor stored in the model. */
export interface Initializer {
  readonly name: string;
  readonly elem: ElemType;
  readonly dims: readonly number[];
  readonly data: InitData;
}

/** A node attribute, tagged with its ONNX attribute type. */
export type Attr =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly string: string }
  | { readonly strings: readonly string[] }
  | { readonly tensor: Initializer }
  | { readonly graph: Graph };

/** One operator application. */
export interface Node {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

/** Hands out names unique across a graph and all its subgraphs. */
export class Names {
  readonly #used = new Set<string>();

  /** `hint` itself the first time, then `hint_1`, `hint_2`, … */
  take(hint: string): string {
    return this.#take(hint);
  }

  /** `name` itself: graph inputs and outputs keep the names users feed and read. */
  exact(name: string): string {
    if (this.#used.has(name)) throw fail('E_INTERNAL', { what: `ONNX value name ${name}`, expected: 'unused', got: 'taken' });
    return this.#take(name);
  }

  #take(hint: string): string {
    let name = hint;
    for (let i = 1; this.#used.has(name); i++) name = `${hint}_${i}`;
    this.#used.add(name);
    return name;
  }
}

/** What a graph shares with its subgraphs: the names in use and the main graph. */
export interface Scope {
  readonly names: Names;
  readonly root: Graph;
}

export class Graph {
  readonly name: string;
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly #names: Names;
  /** The main graph: it holds every initializer; subgraphs read them from the enclosing scope. */
  readonly #root: Graph;
  readonly #int64s = new Map<string, string>();

  /** A main graph, or with `scope` a subgraph (see `subgraph`). */
  constructor(name: string, scope?: Scope) {
    this.name = name;
    this.#names = scope?.names ?? new Names();
    this.#root = scope?.root ?? this;
  }

  /** A subgraph (a Scan body, an If branch) whose value names cannot clash with this graph's. */
  subgraph(name: string): Graph {
    return new Graph(name, { names: this.#names, root: this.#root });
  }

  /** Declares a graph input: named exactly `name` in the main graph, uniquely after it in a subgraph. */
  input(name: string, elem: ElemType, shape: readonly Dim[] | null): string {
    const taken = this.#root === this ? this.#names.exact(name) : this.#names.take(name);
    this.inputs.push({ name: taken, elem, shape });
    return taken;
  }

  /** Declares `value` a graph output (through an Identity: outputs are named values); naming as `input`. */
  output(name: string, value: string, elem: ElemType, shape: readonly Dim[] | null): string {
    const taken = this.#root === this ? this.#names.exact(name) : this.#names.take(name);
    this.nodes.push({ name: this.#names.take(`${taken}_identity`), op: 'Identity', inputs: [value], outputs: [taken], attrs: {} });
    this.outputs.push({ name: taken, elem, shape });
    return taken;
  }

  /** Adds a node with `outputs` results (default 1) named after `hint`; returns their names. */
  add(op: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, outputs: number = 1, hint: string = op.toLowerCase()): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.#names.take(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({ name: this.#names.take(`${hint}_node`), op, inputs, outputs: names, attrs });
    return names;
  }

  /** Adds a node with one result. */
  one(op: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, hint?: string): string {
    return this.add(op, inputs, attrs, 1, hint)[0] as string;
  }

  /** Adds an initializer (to the main graph) named after `hint`; returns its name. */
  constant(hint: string, elem: ElemType, dims: readonly number[], data: InitData): string {
    if (this.#root !== this) return this.#root.constant(hint, elem, dims, data);
    const name = this.#names.take(hint);
    this.initializers.push({ name, elem, dims, data });
    return name;
  }

  /** A 1-d int64 constant (shapes, axes, indices), one initializer per distinct value. */
  int64s(values: readonly number[]): string {
    if (this.#root !== this) return this.#root.int64s(values);
    const key = values.join(',');
    let name = this.#int64s.get(key);
    if (name === undefined) {
      name = this.constant(`const_${values.map((v) => String(v).replace('-', 'm')).join('_') || 'empty'}`, 'int64', [values.length], BigInt64Array.from(values, BigInt));
      this.#int64s.set(key, name);
    }
    return name;
  }

  /** A 0-d int64 constant (a Gather index, a Range bound). */
  int64Scalar(value: number): string {
    return this.constant(`scalar_${String(value).replace('-', 'm')}`, 'int64', [], BigInt64Array.of(BigInt(value)));
  }
}

/** Attribute constructors, so call sites read `{ axis: int(0) }`. */
export const int = (value: number): Attr => ({ int: value });
export const ints = (value: readonly number[]): Attr => ({ ints: value });
export const str = (value: string): Attr => ({ string: value });
export const strs = (value: readonly string[]): Attr => ({ strings: value });
export const graphAttr = (value: Graph): Attr => ({ graph: value });
export const tensorAttr = (value: Initializer): Attr => ({ tensor: value });
