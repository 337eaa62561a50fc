/**
 * nn.Embedding's input: integer indices of any shape. PyTorch takes a LongTensor or an IntTensor
 * (anything else: "Expected tensor for argument #1 'indices' to have one of the following scalar
 * types: Long, Int"); rnnport takes int64 / int32 tensors, their typed arrays (BigInt64Array is
 * what an int64 .npy or safetensors tensor loads as) and nested arrays of integers — the one
 * input that is not the compute dtype (E_INPUT_DTYPE for any other).
 */
import { fail, describeValue } from '../../errors.js';
import { Tensor } from '../../tensor.js';

/** A rectangular nested array of integer indices. */
export type NestedIndices = readonly (number | bigint)[] | readonly NestedIndices[];

/** What `Embedding.forward` takes: an int64 / int32 Tensor, a BigInt64Array / Int32Array (1-d), or nested arrays of integers. */
export type Indices = Tensor | BigInt64Array | Int32Array | NestedIndices;

/** Indices checked against [0, count), flattened row-major, with their shape. */
export interface CheckedIndices {
  readonly shape: readonly number[];
  readonly values: Int32Array;
}

const WHAT = 'Embedding.forward(input)';

/** `input[1, 3]` for flat position i of a shape. */
function position(shape: readonly number[], i: number): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    index.unshift(i % size);
    i = Math.floor(i / size);
  }
  return `input[${index.join(', ')}]`;
}

/** The shape and row-major values of a rectangular nested array (E_BAD_ARGUMENT if ragged or not numbers). */
function flatten(input: NestedIndices): { shape: number[]; values: (number | bigint)[] } {
  const shape: number[] = [];
  for (let v: unknown = input; Array.isArray(v); v = v[0]) shape.push(v.length);
  const values: (number | bigint)[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v === 'number' || typeof v === 'bigint') values.push(v);
      else throw fail('E_BAD_ARGUMENT', { what: `${WHAT}: input${path}`, expected: 'an integer index', got: describeValue(v) });
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw fail('E_BAD_ARGUMENT', {
        what: `${WHAT}: input${path}`,
        expected: `an array of ${shape[depth]} (a rectangular nested array, as input${path.replace(/\d+\]$/, '0]')})`,
        got: Array.isArray(v) ? `an array of ${v.length}` : describeValue(v),
      });
    }
    v.forEach((item: unknown, i) => walk(item, depth + 1, `${path}[${i}]`));
  };
  walk(input, 0, '');
  return { shape, values };
}

/** Checks `input` and every index in it against [0, count): E_INPUT_DTYPE, E_BAD_ARGUMENT, E_INDEX_OUT_OF_RANGE. */
export function checkIndices(input: Indices, count: number): CheckedIndices {
  let shape: readonly number[];
  let values: ArrayLike<number | bigint>;
  if (input instanceof Tensor) {
    if (input.dtype !== 'int64' && input.dtype !== 'int32') {
      throw fail('E_INPUT_DTYPE', { what: `${WHAT}.dtype`, expected: 'int64 or int32 indices', got: input.dtype });
    }
    shape = input.shape;
    values = input.data as BigInt64Array | Int32Array;
  } else if (input instanceof BigInt64Array || input instanceof Int32Array) {
    shape = [input.length];
    values = input;
  } else if (Array.isArray(input)) {
    ({ shape, values } = flatten(input));
  } else if (ArrayBuffer.isView(input)) {
    throw fail('E_INPUT_DTYPE', { what: WHAT, expected: 'int64 or int32 indices (a BigInt64Array or an Int32Array)', got: `a ${input.constructor.name}` });
  } else {
    throw fail('E_BAD_ARGUMENT', { what: WHAT, expected: 'indices: an int64 / int32 Tensor, a BigInt64Array, an Int32Array or an array of integers', got: describeValue(input) });
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | bigint;
    const n = Number(v);
    if (typeof v === 'number' && !Number.isInteger(v)) {
      throw fail('E_INPUT_DTYPE', { what: position(shape, i), expected: 'an integer index (nn.Embedding takes int64 / int32 indices)', got: String(v) });
    }
    if (!(n >= 0 && n < count)) {
      throw fail('E_INDEX_OUT_OF_RANGE', { what: position(shape, i), expected: `an index in [0, ${count}) (num_embeddings ${count})`, got: String(v) });
    }
    out[i] = n;
  }
  return { shape, values: out };
}
