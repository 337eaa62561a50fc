/**
 * Evaluates the facts' slices on real tensors, with PyTorch's indexing rules for the subset the
 * facts use: an integer picks (negative counts from the end), `start:stop` keeps a range, `:`
 * keeps all; trailing dims not named are kept.
 */
import type { Tensor } from '../tensor.js';
import type { EqualityFact, IndexEntry, SliceRef } from './facts.js';

/** The tensors a fact can name. */
export interface FactTensors {
  readonly output: Tensor;
  readonly h_n: Tensor;
  readonly c_n: Tensor | null;
}

/** Values of `tensor[index]`, flattened in row-major order. */
export function sliceValues(t: Tensor, index: readonly IndexEntry[]): number[] {
  const data = t.dtype === 'float64' ? t.toFloat64() : t.toFloat32();
  const shape = t.shape;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const ranges = shape.map((size, d): [number, number] => {
    const entry = d < index.length ? (index[d] as IndexEntry) : null;
    if (entry === null) return [0, size];
    if (typeof entry === 'number') {
      const i = entry < 0 ? entry + size : entry;
      return [i, i + 1];
    }
    const clamp = (v: number): number => Math.min(size, Math.max(0, v < 0 ? v + size : v));
    return [clamp(entry.start ?? 0), clamp(entry.stop ?? size)];
  });
  const values: number[] = [];
  const walk = (d: number, offset: number): void => {
    if (d === shape.length) {
      values.push(data[offset] as number);
      return;
    }
    const [start, stop] = ranges[d] as [number, number];
    for (let i = start; i < stop; i++) walk(d + 1, offset + i * (strides[d] as number));
  };
  walk(0, 0);
  return values;
}

function refValues(ref: SliceRef, tensors: FactTensors): number[] {
  const t = tensors[ref.tensor];
  return t === null ? [] : sliceValues(t, ref.index);
}

/**
 * Whether a fact holds on these tensors: `==` means same length and bitwise-equal values (the
 * engine stores the very same h in output and h_n); `!=` means at least one value differs.
 */
export function factHolds(fact: EqualityFact, tensors: FactTensors): boolean {
  const lhs = refValues(fact.lhs, tensors);
  const rhs = 'value' in fact.rhs ? lhs.map(() => (fact.rhs as { value: number }).value) : refValues(fact.rhs, tensors);
  const same = lhs.length > 0 && lhs.length === rhs.length && lhs.every((v, i) => Object.is(v, rhs[i]) || v === rhs[i]);
  return fact.equal ? same : !same;
}
