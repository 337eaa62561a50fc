import { describe, expect, it } from 'vitest';
import { isRnnportError, type RnnportError } from '../../../../src/errors.js';
import { resolveGlobal } from '../../../../src/io/pickle/allowlist.js';
import { PyDict, PySet, PyTuple, type PickleValue } from '../../../../src/io/pickle/values.js';
import { MAX_MEMO, MAX_STACK, unpickle, type UnpickleOptions } from '../../../../src/io/pickle/vm.js';

const enc = new TextEncoder();
const OPTIONS: UnpickleOptions = {
  resolveGlobal,
  persistentLoad: (pid) => new PyTuple([['pid'], pid]),
  maxOps: 1_000_000,
  name: 'test.pkl',
};

/** Bytes from numbers, strings (Latin-1) and arrays of them. */
function b(...parts: (number | string | Uint8Array | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else for (const x of p) out.push(x);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const str = (s: string): Uint8Array => {
  const e = enc.encode(s);
  return b('X', u32(e.length), e);
};
const pkl = (...body: (number | string | Uint8Array | number[])[]): Uint8Array => b(0x80, 2, ...body, '.');

function load(bytes: Uint8Array, options: Partial<UnpickleOptions> = {}): PickleValue {
  return unpickle(bytes, 0, { ...OPTIONS, ...options }).value;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isRnnportError(e)) return (e as RnnportError).code;
    throw e;
  }
  return 'no error';
}

describe('unpickle: values', () => {
  it('reads the constants and numbers of every protocol', () => {
    expect(load(pkl('N'))).toBe(null);
    expect(load(pkl(0x88))).toBe(true);
    expect(load(pkl(0x89))).toBe(false);
    expect(load(pkl('K', 200))).toBe(200);
    expect(load(pkl('M', 0x34, 0x12))).toBe(0x1234);
    expect(load(pkl('J', u32(-5 >>> 0)))).toBe(-5);
    expect(load(pkl(0x8a, 2, 0xff, 0x7f))).toBe(0x7fff);
    expect(load(pkl(0x8a, 1, 0xff))).toBe(-1);
    expect(load(pkl(0x8a, 0))).toBe(0);
    expect(load(pkl(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1))).toBe(2n ** 64n);
    expect(load(pkl('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0))).toBe(1.5);
    expect(load(b('I01\n.'))).toBe(true);
    expect(load(b('I-42\n.'))).toBe(-42);
    expect(load(b('L123456789012345678901234567890L\n.'))).toBe(123456789012345678901234567890n);
    expect(load(b('F0.25\n.'))).toBe(0.25);
  });

  it('reads strings and bytes', () => {
    expect(load(pkl(str('héllo')))).toBe('héllo');
    expect(load(b(0x80, 4, 0x8c, 2, 'ab', '.'))).toBe('ab');
    expect(load(b(0x80, 4, 0x8d, [3, 0, 0, 0, 0, 0, 0, 0], 'abc', '.'))).toBe('abc');
    expect(load(b(0x80, 3, 'C', 2, 1, 2, '.'))).toEqual(Uint8Array.of(1, 2));
    expect(load(b(0x80, 3, 'B', u32(1), 9, '.'))).toEqual(Uint8Array.of(9));
    expect(load(b("S'a\\x41\\n'\n."))).toBe('aA\n');
    expect(load(b('Vx\\u00e9\n.'))).toBe('xé');
    expect(load(b('U', 1, 'z', '.'))).toBe('z');
    // Protocol 2 bytes: _codecs.encode(text, 'latin1').
    expect(load(pkl('c_codecs\nencode\n', str('\u00ff\u0001'), str('latin1'), 0x86, 'R'))).toEqual(Uint8Array.of(255, 1));
  });

  it('builds lists, tuples, dicts and sets', () => {
    expect(load(pkl(']', '(', 'K', 1, 'K', 2, 'e', 'K', 3, 'a'))).toEqual([1, 2, 3]);
    expect(load(pkl('(', 'K', 1, 'l'))).toEqual([1]);
    const t = load(pkl('K', 1, 'K', 2, 'K', 3, 0x87)) as PyTuple;
    expect(t).toBeInstanceOf(PyTuple);
    expect(t.items).toEqual([1, 2, 3]);
    const d = load(pkl('}', '(', str('a'), 'K', 1, str('b'), 'K', 2, 'u', str('a'), 'K', 3, 's')) as PyDict;
    expect([...d.entries()]).toEqual([['a', 3], ['b', 2]]);
    expect(d.ordered).toBe(false);
    const s = load(b(0x80, 4, 0x8f, '(', 'K', 1, 'K', 2, 0x90, '.')) as PySet;
    expect(s.items).toEqual([1, 2]);
    expect((load(b(0x80, 4, '(', 'K', 1, 0x91, '.')) as PySet).items).toEqual([1]);
  });

  it('treats keys Python considers equal as one key', () => {
    const d = load(pkl('}', '(', 'K', 1, str('int'), 0x88, str('bool'), 'K', 1, 'K', 2, 0x86, str('tuple'), 'u')) as PyDict;
    expect([...d.entries()].map(([, v]) => v)).toEqual(['bool', 'tuple']);
  });

  it('rejects unhashable dict keys', () => {
    expect(code(() => load(pkl('}', ']', 'K', 1, 's')))).toBe('E_PICKLE_OPCODE');
  });

  it('shares memoized values, as Python does', () => {
    const v = load(pkl(']', 'q', 0, 'h', 0, 'a')) as PickleValue[];
    expect(v[0]).toBe(v); // a list containing itself
    expect(load(b(0x80, 4, ']', 0x94, 'h', 0, 0x86, '.'))).toBeInstanceOf(PyTuple);
    expect(load(pkl('K', 7, 'r', u32(0xffffffff), '0', 'j', u32(0xffffffff)))).toBe(7);
    expect(load(b('K', 5, 'p12\n', '0', 'g12\n', '.'))).toBe(5);
  });

  it('skips FRAME hints and accepts protocols up to 5', () => {
    expect(load(b(0x80, 5, 0x95, [3, 0, 0, 0, 0, 0, 0, 0], 'K', 1, '.'))).toBe(1);
  });

  it('returns the offset after STOP and the opcodes run, so pickles can follow each other', () => {
    const two = b(...pkl('K', 1), ...pkl('K', 2));
    const first = unpickle(two, 0, OPTIONS);
    expect(first).toEqual({ value: 1, end: 5, ops: 3 });
    expect(unpickle(two, first.end, OPTIONS).value).toBe(2);
  });

  it('passes BINPERSID ids to persistent_load', () => {
    const v = load(pkl(str('x'), 0x85, 'Q')) as PyTuple;
    expect((v.items[1] as PyTuple).items).toEqual(['x']);
  });
});

describe('unpickle: globals and objects', () => {
  it('builds an OrderedDict and keeps what BUILD gives it as data', () => {
    const d = load(pkl('ccollections\nOrderedDict\n', ')', 'R', str('k'), 'K', 1, 's', '}', str('_metadata'), 'N', 's', 'b')) as PyDict;
    expect(d.ordered).toBe(true);
    expect([...d.entries()]).toEqual([['k', 1]]);
    expect([...(d.state as PyDict).entries()]).toEqual([['_metadata', null]]);
  });

  it('resolves STACK_GLOBAL through the allow-list', () => {
    expect(load(b(0x80, 4, 0x8c, 11, 'collections', 0x8c, 11, 'OrderedDict', 0x93, ')', 'R', '.'))).toBeInstanceOf(PyDict);
  });

  it.each([
    ['GLOBAL', pkl('cos\nsystem\n')],
    ['STACK_GLOBAL', b(0x80, 4, 0x8c, 2, 'os', 0x8c, 6, 'system', 0x93, '.')],
    ['INST', pkl('(', str('ls'), 'ios\nsystem\n')],
    ['EXT2', pkl(0x83, 1, 0)],
    ['a whole module', pkl('ctorch.nn.modules.rnn\nGRU\n')],
  ])('rejects a global outside the allow-list (%s)', (_name, bytes) => {
    expect(code(() => load(bytes))).toBe('E_PICKLE_GLOBAL');
  });

  it('calls nothing but allow-listed callables', () => {
    expect(code(() => load(pkl('ctorch\nfloat32\n', ')', 'R')))).toBe('E_PICKLE_OPCODE'); // a dtype is not callable
    expect(code(() => load(pkl('ccollections\nOrderedDict\n', str('x'), 'R')))).toBe('E_PICKLE_OPCODE'); // args not a tuple
    expect(code(() => load(pkl('ctorch._utils\n_rebuild_tensor_v2\n', ')', 0x81)))).toBe('E_PICKLE_OPCODE'); // not NEWOBJ-able
    expect(code(() => load(pkl('(', 'l', 'o')))).toBe('E_PICKLE_OPCODE'); // OBJ of a list
  });

  it('lets BUILD touch only objects the allow-list made', () => {
    expect(code(() => load(pkl('}', '}', 'b')))).toBe('E_PICKLE_OPCODE');
    expect(code(() => load(pkl(']', '}', 'b')))).toBe('E_PICKLE_OPCODE');
  });
});

describe('unpickle: malformed input', () => {
  it.each([
    ['an unknown opcode', pkl(0xff), 'E_PICKLE_OPCODE'],
    ['out-of-band buffers', b(0x80, 5, 0x98, '.'), 'E_PICKLE_OPCODE'],
    ['a text persistent id', pkl('Pid\n'), 'E_PICKLE_OPCODE'],
    ['a missing STOP', b(0x80, 2, 'N'), 'E_TRUNCATED'],
    ['an empty input', b(), 'E_TRUNCATED'],
    ['a string past the end', pkl('X', u32(100), 'ab'), 'E_TRUNCATED'],
    ['a text argument without newline', b('I12'), 'E_TRUNCATED'],
    ['POP on an empty stack', pkl('0'), 'E_PICKLE_OPCODE'],
    ['TUPLE without MARK', pkl('t'), 'E_PICKLE_OPCODE'],
    ['APPEND to a dict', pkl('}', 'K', 1, 'a'), 'E_PICKLE_OPCODE'],
    ['SETITEMS with an odd count', pkl('}', '(', 'K', 1, 'u'), 'E_PICKLE_OPCODE'],
    ['STOP under an open MARK', pkl('(', 'N'), 'E_PICKLE_OPCODE'],
    ['GET of an index never PUT', pkl('h', 3), 'E_PICKLE_OPCODE'],
    ['PUT with an empty stack', pkl('q', 0, 'N'), 'E_PICKLE_OPCODE'],
    ['invalid UTF-8', pkl('X', u32(1), 0xff), 'E_PICKLE_OPCODE'],
    ['a BINUNICODE8 length past 2^53', b(0x80, 4, 0x8d, [0, 0, 0, 0, 0, 0, 0, 0x7f], '.'), 'E_PICKLE_OPCODE'],
    ['a negative LONG4 length', pkl(0x8b, u32(0xffffffff)), 'E_PICKLE_OPCODE'],
    ['a 300-byte int', pkl(0x8a, 255, new Uint8Array(255), 0x8b), 'E_TRUNCATED'],
    ['a long text int', b('L', '9'.repeat(1000), '\n.'), 'E_PICKLE_OPCODE'],
    ['a bad float literal', b('Fabc\n.'), 'E_PICKLE_OPCODE'],
  ])('rejects %s', (_name, bytes, expected) => {
    expect(code(() => load(bytes))).toBe(expected);
  });

  it('counts opcodes against maxOps (limits.maxPickleOps)', () => {
    const body = pkl(']', ...Array.from({ length: 100 }, () => [0x4e, 0x61]).flat());
    expect(code(() => load(body, { maxOps: 150 }))).toBe('E_LIMIT');
    expect((load(body, { maxOps: 203 }) as PickleValue[]).length).toBe(100); // PROTO, EMPTY_LIST, 200, STOP
  });

  it('caps the stack, MARKs included', () => {
    const marks = new Uint8Array(MAX_STACK + 1).fill(0x28);
    expect(code(() => load(b(0x80, 2, marks, '.'), { maxOps: 2 * MAX_STACK }))).toBe('E_LIMIT');
  });

  it('caps the memo', () => {
    const memoize = new Uint8Array(MAX_MEMO + 1).fill(0x94);
    expect(code(() => load(b(0x80, 4, 'N', memoize, '.'), { maxOps: 2 * MAX_MEMO }))).toBe('E_LIMIT');
  });

  it('unpickles 100k levels of nesting without recursion', () => {
    const n = 100_000;
    const lists = load(b(0x80, 2, new Uint8Array(n).fill(0x5d), new Uint8Array(n - 1).fill(0x61), '.'));
    let depth = 0;
    for (let v = lists; Array.isArray(v) && v.length > 0; v = v[0] as PickleValue) depth++;
    expect(depth).toBe(n - 1);
    const tuples = load(b(0x80, 2, new Uint8Array(n).fill(0x28), new Uint8Array(n).fill(0x74), '.'));
    expect(tuples).toBeInstanceOf(PyTuple);
  });

  it('hashes a nested tuple key once per tuple, not per leaf', () => {
    // t = (t, t) forty times over: 2^40 leaves if expanded, 40 tuples of two items each to hash.
    const dup = Array.from({ length: 40 }, () => [0x32, 0x86]).flat();
    const start = performance.now();
    const d = load(pkl('}', 'N', ...dup, 'K', 1, 's')) as PyDict;
    expect(d.size).toBe(1);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
