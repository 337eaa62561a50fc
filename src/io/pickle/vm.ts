/**
 * A restricted unpickler: one explicit loop over opcodes (no recursion), protocols 0–5, every
 * read bounds-checked, every size checked against the bytes present before use.
 * reference: https://github.com/python/cpython/blob/v3.12.0/Lib/pickle.py (class _Unpickler)
 * and Lib/pickletools.py (the opcode table).
 *
 * Security: GLOBAL / STACK_GLOBAL / INST resolve only through `resolveGlobal` (the allow-list),
 * REDUCE / NEWOBJ / OBJ call only what it returned (rnnport's own code), BUILD only sets data on
 * objects the allow-list made, and no `__setstate__`, `extend` or `append` method is ever
 * looked up. Extension codes and out-of-band buffers are rejected.
 *
 * Cost: a pickle can reuse one huge value through its memo in every opcode (a 1 MB str as the
 * key of every SETITEM, a 1M-item list given to every `set()` call), so no opcode may cost work
 * proportional to a value it did not read from the bytes. Dict keys get their identity once per
 * key object (values.ts `KeyIds`); whatever else copies or scans a value (the allow-list's
 * stand-ins) charges its size to `work`, a budget of WORK_PER_BYTE units per pickle byte:
 * E_LIMIT past it. So any pickle is answered in time linear in its length.
 */
import { fail } from '../../errors.js';
import { rawUnicodeEscape, unquote } from './text.js';
import { KeyIds, PyCallable, PyDict, PyOpaque, PySet, PyTuple, typeName, type PickleValue } from './values.js';

/** What the caller supplies: the allow-list, persistent_load and the limits. */
export interface UnpickleOptions {
  /** GLOBAL `module.name` → a value (a PyCallable to be called, a dtype, …); throws E_PICKLE_GLOBAL otherwise. */
  readonly resolveGlobal: (module: string, name: string, at: string) => PickleValue;
  /** BINPERSID: `persistent_load(pid)`; `work` charges what it scans (see the file comment). */
  readonly persistentLoad: (pid: PickleValue, at: string, work: Work) => PickleValue;
  /** Most opcodes executed (Limits.maxPickleOps). */
  readonly maxOps: number;
  /** For messages: the file or archive member. */
  readonly name: string;
}

/** Charges `units` of work (items copied, characters scanned) to the unpickler's budget. */
export type Work = (units: number) => void;

/** Work units a pickle may spend per byte it has (plus WORK_BASE): linear in the input. */
export const WORK_PER_BYTE = 4;
const WORK_BASE = 1 << 20;
/** Longest module or name of a global: every name on the allow-list is far shorter. */
const MAX_GLOBAL_NAME = 256;

/** Most values on the stack, counting the items held under every MARK. */
export const MAX_STACK: number = 1 << 20;
/** Most memo entries. */
export const MAX_MEMO: number = 1 << 20;
/** Most items in one list, dict or set. */
export const MAX_COLLECTION: number = 1 << 22;
/** Longest integer (LONG1 / LONG4 / text LONG) in bytes: 2048 bits. */
const MAX_LONG_BYTES = 256;
/** Highest protocol understood. */
const HIGHEST_PROTOCOL = 5;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

/** Unpickles one pickle starting at `start`; returns the value, the offset after STOP and the opcodes run. */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): { value: PickleValue; end: number; ops: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const memo = new Map<number, PickleValue>();
  let stack: PickleValue[] = [];
  const metastack: PickleValue[][] = [];
  let depth = 0; // values on `stack` plus those saved in `metastack`
  let pos = start;
  let opPos = start;
  let ops = 0;
  const keys = new KeyIds();
  const budget = WORK_BASE + WORK_PER_BYTE * (bytes.length - start);
  let spent = 0;

  const at = (): string => `${options.name} byte ${opPos}`;
  const work: Work = (units) => {
    spent += units;
    if (spent > budget) {
      throw fail('E_LIMIT', { what: 'pickle work (items copied, characters scanned)', expected: `at most ${budget} (${WORK_PER_BYTE} per pickle byte)`, got: 'more', at: at() });
    }
  };
  const bad = (what: string, expected: string, got: string): never => {
    throw fail('E_PICKLE_OPCODE', { what, expected, got, at: at() });
  };
  const need = (n: number): number => {
    if (n > bytes.length - pos) {
      throw fail('E_TRUNCATED', { what: 'pickle', expected: `${n} more bytes`, got: `${bytes.length - pos}`, at: at() });
    }
    const p = pos;
    pos += n;
    return p;
  };
  const u8 = (): number => view.getUint8(need(1));
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const p = need(8);
    const hi = view.getUint32(p + 4, true);
    if (hi >= 1 << 21) bad('length', 'below 2^53', `high word ${hi}`);
    return hi * 2 ** 32 + view.getUint32(p, true);
  };
  const raw = (n: number): Uint8Array => {
    const p = need(n);
    return bytes.subarray(p, p + n);
  };
  const utf8 = (b: Uint8Array): string => {
    try {
      return UTF8.decode(b);
    } catch {
      return bad('string', 'valid UTF-8', `${b.length} undecodable bytes`);
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('E_TRUNCATED', { what: 'pickle text argument', expected: 'a line ending in \\n', got: 'end of data', at: at() });
    const s = LATIN1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const long = (b: Uint8Array): number | bigint => {
    // Two's-complement little-endian (pickle.decode_long).
    if (b.length > MAX_LONG_BYTES) throw fail('E_LIMIT', { what: 'pickle int', expected: `at most ${MAX_LONG_BYTES} bytes`, got: `${b.length}`, at: at() });
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if (b.length > 0 && ((b[b.length - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
    return toInt(v);
  };
  const decimal = (s: string): number | bigint => {
    if (!/^[+-]?\d+$/.test(s) || s.length > 2 * MAX_LONG_BYTES) return bad('decimal int', 'digits', JSON.stringify(s.slice(0, 40)));
    return toInt(BigInt(s));
  };

  const push = (v: PickleValue): void => {
    if (++depth > MAX_STACK) throw fail('E_LIMIT', { what: 'pickle stack', expected: `at most ${MAX_STACK} values`, got: 'more', at: at() });
    stack.push(v);
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) bad('stack', 'a value', 'an empty stack (or a MARK)');
    depth--;
    return stack.pop() as PickleValue;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) bad('stack', 'a value', 'an empty stack (or a MARK)');
    return stack[stack.length - 1] as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) return bad('MARK', 'a MARK on the stack', 'none');
    stack = prev;
    depth--; // the MARK itself
    depth -= items.length;
    return items;
  };
  const setMemo = (key: number, v: PickleValue): void => {
    if (!memo.has(key) && memo.size >= MAX_MEMO) throw fail('E_LIMIT', { what: 'pickle memo', expected: `at most ${MAX_MEMO} entries`, got: 'more', at: at() });
    memo.set(key, v);
  };
  const getMemo = (key: number | bigint): void => {
    if (typeof key !== 'number' || !memo.has(key)) return bad('memo', 'an index PUT earlier', String(key));
    push(memo.get(key) as PickleValue);
  };
  const global = (module: string, name: string): PickleValue => {
    if (module.length > MAX_GLOBAL_NAME || name.length > MAX_GLOBAL_NAME) {
      throw fail('E_PICKLE_GLOBAL', { what: 'pickle global', expected: `a name on rnnport's allow-list (at most ${MAX_GLOBAL_NAME} characters)`, got: `${module.slice(0, 40)}… (${module.length} + ${name.length} characters)`, at: at() });
    }
    return options.resolveGlobal(module, name, at());
  };
  const callable = (v: PickleValue, op: string): PyCallable => {
    if (!(v instanceof PyCallable)) return bad(op, 'a callable from the allow-list', typeName(v));
    return v;
  };
  const tupleArgs = (v: PickleValue, op: string): readonly PickleValue[] => {
    if (!(v instanceof PyTuple)) return bad(`${op} arguments`, 'a tuple', typeName(v));
    return v.items;
  };
  const newobj = (cls: PickleValue, args: readonly PickleValue[], op: string): PickleValue => {
    const c = callable(cls, op);
    if (c.newobj === undefined) return bad(op, 'a class the allow-list lets NEWOBJ build', c.qualname);
    return c.newobj(args, at(), work);
  };
  const grow = (size: number, what: string): void => {
    if (size > MAX_COLLECTION) throw fail('E_LIMIT', { what, expected: `at most ${MAX_COLLECTION} items`, got: 'more', at: at() });
  };
  const setItems = (target: PickleValue, items: readonly PickleValue[]): void => {
    if (!(target instanceof PyDict)) return bad('SETITEM(S)', 'a dict', typeName(target));
    if (items.length % 2 !== 0) return bad('SETITEMS', 'key/value pairs', `${items.length} items`);
    for (let i = 0; i < items.length; i += 2) target.set(items[i] as PickleValue, items[i + 1] as PickleValue, at(), keys);
    grow(target.size, 'pickle dict');
  };
  const extend = (target: PickleValue, items: readonly PickleValue[], op: string): void => {
    const list = target instanceof PySet ? target.items : target;
    if (!Array.isArray(list) || (op === 'ADDITEMS') !== target instanceof PySet) return bad(op, op === 'ADDITEMS' ? 'a set' : 'a list', typeName(target));
    grow(list.length + items.length, `pickle ${typeName(target)}`);
    for (const v of items) list.push(v);
  };

  for (;;) {
    if (++ops > options.maxOps) throw fail('E_LIMIT', { what: 'pickle opcodes', expected: `at most ${options.maxOps} (limits.maxPickleOps)`, got: 'more', at: at() });
    opPos = pos;
    const op = u8();
    switch (op) {
      // ---- framing and protocol ----
      case 0x80: {
        const proto = u8(); // PROTO
        if (proto > HIGHEST_PROTOCOL) bad('pickle protocol', `at most ${HIGHEST_PROTOCOL}`, String(proto));
        break;
      }
      case 0x95: {
        const n = u64(); // FRAME: a hint for buffered readers; the frame must be present
        if (n > bytes.length - pos) throw fail('E_TRUNCATED', { what: 'pickle FRAME', expected: `${n} bytes`, got: `${bytes.length - pos}`, at: at() });
        break;
      }
      case 0x2e: // STOP
        if (metastack.length !== 0 || stack.length !== 1) bad('STOP', 'exactly one value and no open MARK', `${stack.length} values, ${metastack.length} MARKs`);
        return { value: stack[0] as PickleValue, end: pos, ops };

      // ---- stack manipulation ----
      case 0x28: // MARK
        if (++depth > MAX_STACK) throw fail('E_LIMIT', { what: 'pickle stack', expected: `at most ${MAX_STACK} values`, got: 'more', at: at() });
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;

      // ---- constants ----
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x49: { // INT (text): I01 / I00 are True / False in protocol 0
        const s = line();
        push(s === '01' ? true : s === '00' ? false : decimal(s));
        break;
      }
      case 0x4a: push(view.getInt32(need(4), true)); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x4c: push(decimal(line().replace(/L$/, ''))); break; // LONG (text)
      case 0x8a: push(long(raw(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = view.getInt32(need(4), true);
        if (n < 0) bad('LONG4 length', 'non-negative', String(n));
        push(long(raw(n)));
        break;
      }
      case 0x46: { // FLOAT (text repr)
        const s = line();
        const v = Number(s);
        if (s.trim() === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) bad('FLOAT', 'a float literal', JSON.stringify(s.slice(0, 40)));
        push(v);
        break;
      }
      case 0x47: push(view.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)

      // ---- strings and bytes ----
      case 0x53: push(utf8(unquote(line(), bad))); break; // STRING (protocol 0 repr)
      case 0x54: { // BINSTRING
        const n = view.getInt32(need(4), true);
        if (n < 0) bad('BINSTRING length', 'non-negative', String(n));
        push(utf8(raw(n)));
        break;
      }
      case 0x55: push(utf8(raw(u8()))); break; // SHORT_BINSTRING
      case 0x56: push(rawUnicodeEscape(line(), bad)); break; // UNICODE (raw-unicode-escape)
      case 0x58: push(utf8(raw(u32()))); break; // BINUNICODE
      case 0x8c: push(utf8(raw(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8(raw(u64()))); break; // BINUNICODE8
      case 0x42: push(new Uint8Array(raw(u32()))); break; // BINBYTES
      case 0x43: push(new Uint8Array(raw(u8()))); break; // SHORT_BINBYTES
      case 0x8e: push(new Uint8Array(raw(u64()))); break; // BINBYTES8
      case 0x96: push(new Uint8Array(raw(u64()))); break; // BYTEARRAY8

      // ---- containers ----
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x6c: push(popMark()); break; // LIST
      case 0x61: { // APPEND
        const v = pop();
        extend(top(), [v], 'APPEND');
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        extend(top(), items, 'APPENDS');
        break;
      }
      case 0x29: push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { // TUPLE2
        const b = pop();
        push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x7d: push(new PyDict(false)); break; // EMPTY_DICT
      case 0x64: { // DICT
        const d = new PyDict(false);
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: push(new PySet([])); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark();
        extend(top(), items, 'ADDITEMS');
        break;
      }
      case 0x91: push(new PySet(popMark())); break; // FROZENSET

      // ---- memo ----
      case 0x67: getMemo(decimal(line())); break; // GET
      case 0x68: getMemo(u8()); break; // BINGET
      case 0x6a: getMemo(u32()); break; // LONG_BINGET
      case 0x70: { // PUT
        const k = decimal(line());
        if (typeof k !== 'number' || k < 0) bad('PUT', 'a memo index', String(k));
        setMemo(k as number, top());
        break;
      }
      case 0x71: setMemo(u8(), top()); break; // BINPUT
      case 0x72: setMemo(u32(), top()); break; // LONG_BINPUT
      case 0x94: setMemo(memo.size, top()); break; // MEMOIZE

      // ---- globals and objects: only through the allow-list ----
      case 0x63: { // GLOBAL
        const module = line();
        push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') bad('STACK_GLOBAL', 'two str', `${typeName(module)}, ${typeName(name)}`);
        push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE: callable(*args)
        const args = tupleArgs(pop(), 'REDUCE');
        push(callable(pop(), 'REDUCE').call(args, at(), work));
        break;
      }
      case 0x69: { // INST: module\nname\n, args after MARK
        const module = line();
        const cls = global(module, line());
        push(callable(cls, 'INST').call(popMark(), at(), work));
        break;
      }
      case 0x6f: { // OBJ: MARK cls args…
        const items = popMark();
        if (items.length === 0) bad('OBJ', 'a class after MARK', 'nothing');
        push(callable(items[0] as PickleValue, 'OBJ').call(items.slice(1), at(), work));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
        const args = tupleArgs(pop(), 'NEWOBJ');
        push(newobj(pop(), args, 'NEWOBJ'));
        break;
      }
      case 0x92: { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
        const kwargs = pop();
        const args = tupleArgs(pop(), 'NEWOBJ_EX');
        if (!(kwargs instanceof PyDict) || kwargs.size !== 0) bad('NEWOBJ_EX keyword arguments', 'none', typeName(kwargs));
        push(newobj(pop(), args, 'NEWOBJ_EX'));
        break;
      }
      case 0x62: { // BUILD: only data, only on objects the allow-list made; never __setstate__
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict && obj.ordered) obj.state = state;
        else if (obj instanceof PyOpaque) obj.state = state;
        else bad('BUILD', 'an object made by the allow-list', typeName(obj));
        break;
      }
      case 0x50: // PERSID (text): torch's ids are tuples, written with BINPERSID
        bad('PERSID', 'BINPERSID with a tuple id', `text id ${JSON.stringify(line().slice(0, 40))}`);
        break;
      case 0x51: push(options.persistentLoad(pop(), at(), work)); break; // BINPERSID
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: { // EXT4
        const code = op === 0x82 ? u8() : op === 0x83 ? u16() : view.getInt32(need(4), true);
        throw fail('E_PICKLE_GLOBAL', { what: 'pickle extension code (copyreg)', expected: 'a global on the allow-list', got: `extension ${code}`, at: at() });
      }
      default:
        // NEXT_BUFFER / READONLY_BUFFER (out-of-band buffers) and bytes that are no opcode.
        bad('opcode', 'a pickle opcode rnnport accepts', `0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function toInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
