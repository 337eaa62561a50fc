/**
 * The budget corpus: small files crafted byte by byte that once cost rnnport gigabytes, minutes or
 * a native abort, each answered now within a time and memory budget. Written to
 * test/malformed/budget/<name> plus test/malformed/budget/cases.json
 * ([{ file, item, command, code, why }]: `command` is how test/malformed/budget.test.ts runs the
 * CLI on it, `code` the error it must answer, or null for exit 0). Deterministic:
 * test/malformed/budget.test.ts rebuilds the corpus and compares it with the committed files.
 *
 *   npx esbuild scripts/make_budget_corpus.ts --bundle --platform=node --format=esm --outfile=/tmp/make_budget.mjs && node /tmp/make_budget.mjs
 * (from the repository root). Files PyTorch itself writes (stride-0 views, storages of two
 * types) are in test/malformed/pt/ (scripts/gen_pt_fixtures.py); files too large to commit
 * (a 61 MB header, a 2 MB deflate bomb) and non-regular files (FIFOs, devices, symbolic links)
 * are made at test time by `buildLargeCases` and the test itself.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RnnportErrorCode } from '../src/errors.js';
import { saveNpy } from '../src/io/npy.js';
import { Tensor } from '../src/tensor.js';
import { buildZip, bytes, safetensorsRaw } from './make_malformed.js';

/** How the test runs the CLI on a file: `inspect FILE`, `run FILE --input X --out D`, `explain FILE`, or inspect with --key. */
export type BudgetCommand = 'inspect' | 'inspect --json' | 'run' | 'explain' | { readonly inspectKey: string };

/** One reproducer: the issue item it reproduces, how it is run and what it must answer. */
export interface BudgetCase {
  readonly file: string;
  readonly item: number;
  readonly command: BudgetCommand;
  /** The error code of the one stderr line, or null: exit 0. */
  readonly code: RnnportErrorCode | null;
  readonly why: string;
  readonly bytes: Uint8Array;
}

const enc = new TextEncoder();

// ---- pickle opcodes (protocol 2 and 4), as pickletools names them -----------------------------
const PROTO2 = [0x80, 2];
const STOP = [0x2e];
const MARK = [0x28];
const EMPTY_DICT = [0x7d];
const EMPTY_LIST = [0x5d];
const EMPTY_TUPLE = [0x29];
const SETITEM = [0x73];
const SETITEMS = [0x75];
const APPENDS = [0x65];
const APPEND = [0x61];
const TUPLE = [0x74];
const TUPLE1 = [0x85];
const REDUCE = [0x52];
const POP = [0x30];
const NONE = [0x4e];
const NEWFALSE = [0x89];
const BINPERSID = [0x51];
const STACK_GLOBAL = [0x93];

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
const binint = (v: number): number[] => [0x4a, ...u32(v)];
const binput = (i: number): number[] => [0x72, ...u32(i)]; // LONG_BINPUT
const binget = (i: number): number[] => [0x6a, ...u32(i)]; // LONG_BINGET
const str = (s: string): Uint8Array => {
  const b = enc.encode(s);
  return bytes([0x58, ...u32(b.length)], b); // BINUNICODE
};
const binbytes = (b: Uint8Array): Uint8Array => bytes([0x42, ...u32(b.length)], b); // BINBYTES
const global = (module: string, name: string): Uint8Array => bytes('c', `${module}\n${name}\n`);

/** `n` copies of `part`, concatenated. */
function times(n: number, part: Uint8Array | number[]): Uint8Array {
  const p = part instanceof Uint8Array ? part : new Uint8Array(part);
  const out = new Uint8Array(p.length * n);
  for (let i = 0; i < n; i++) out.set(p, i * p.length);
  return out;
}

/**
 * A .pt archive around a pickle, data.pkl deflated: megabytes of repeated bytes cost a few KB of
 * file. `records` are stored `data/<key>` members.
 */
function ptArchive(pickle: Uint8Array, records: readonly [string, Uint8Array][] = []): Uint8Array {
  return buildZip([
    { name: 'archive/data.pkl', data: pickle, method: 8 },
    ...records.map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    { name: 'archive/version', data: enc.encode('3\n') },
  ]);
}

/** A float32 tensor `_rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`. */
function tensorOp(key: string, numel: number, size: readonly number[], stride: readonly number[]): Uint8Array {
  const tuple = (xs: readonly number[]): Uint8Array => bytes(MARK, ...xs.map(binint), TUPLE);
  const pid = bytes(MARK, str('storage'), global('torch', 'FloatStorage'), str(key), str('cpu'), binint(numel), TUPLE, BINPERSID);
  return bytes(global('torch._utils', '_rebuild_tensor_v2'), MARK, pid, binint(0), tuple(size), tuple(stride), NEWFALSE, global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE, TUPLE, REDUCE);
}

/** A huge value made once, memoised at index 0, popped: later opcodes reuse it with BINGET 0. */
const memoised = (value: Uint8Array): Uint8Array => bytes(value, binput(0), POP);
const MB = 1 << 20;

/** Every committed reproducer, in a fixed order. */
export function buildBudgetCorpus(): BudgetCase[] {
  const cases: BudgetCase[] = [];
  const add = (file: string, item: number, command: BudgetCommand, code: RnnportErrorCode | null, why: string, data: Uint8Array): void => {
    cases.push({ file, item, command, code, why, bytes: data });
  };
  const f32 = (n: number): Uint8Array => new Uint8Array(4 * n);

  // 1. Counts taken from names.
  const gru = (extra: string, extraBytes = 0): Uint8Array => {
    const header = `{"weight_ih_l0":{"dtype":"F32","shape":[6,2],"data_offsets":[0,48]},"weight_hh_l0":{"dtype":"F32","shape":[6,2],"data_offsets":[48,96]}${extra}}`;
    return safetensorsRaw(header, f32(24 + extraBytes / 4));
  };
  const billion = gru(',"weight_ih_l999999999":{"dtype":"F32","shape":[0,2],"data_offsets":[96,96]}');
  add('layer_billion.safetensors', 1, 'run', 'E_MISSING_PARAMETER', 'a zero-size weight_ih_l999999999 beside a 1-layer GRU: num_layers is checked against the layers present before anyone loops', billion);
  add('layer_billion.safetensors', 1, 'explain', 'E_MISSING_PARAMETER', 'explain of the same file', billion);
  add('layer_billion.safetensors', 1, 'inspect', null, 'inspect lists the module as one it cannot infer, in one line', billion);
  const both = gru(',"weight_ih_l999999999":{"dtype":"F32","shape":[0,2],"data_offsets":[96,96]},"weight_hh_l999999999":{"dtype":"F32","shape":[0,2],"data_offsets":[96,96]}');
  add('layer_billion_both.safetensors', 1, 'run', 'E_MISSING_PARAMETER', 'weight_ih and weight_hh of layer 999999999, nothing between', both);

  // 3. Pickle cost bounded by the input.
  const key1M = new Uint8Array(MB).fill(0x6b);
  const dictsKeyed = (key: Uint8Array, n: number): Uint8Array =>
    bytes(PROTO2, memoised(key), EMPTY_LIST, MARK, times(n, bytes(EMPTY_DICT, binget(0), NONE, SETITEM)), APPENDS, STOP);
  add('memo_key_bytes.pt', 3, 'inspect', 'E_NO_MODULE', 'a 1 MB bytes key reused through the memo as the key of 20000 dicts: its identity is worked out once', ptArchive(dictsKeyed(binbytes(key1M), 20_000)));
  add('memo_key_str.pt', 3, 'inspect', 'E_NO_MODULE', 'a 1 MB str key reused in 20000 dicts', ptArchive(dictsKeyed(str('k'.repeat(MB)), 20_000)));
  const tupleKey = bytes(MARK, times(4096, binget(0)), TUPLE);
  add('memo_key_tuple.pt', 3, 'inspect', 'E_NO_MODULE', 'a key tuple of 4096 references to one 1 MB str (4 GB if spelled out), in 2000 dicts',
    ptArchive(bytes(PROTO2, memoised(str('k'.repeat(MB))), tupleKey, binput(1), POP, EMPTY_LIST, MARK, times(2000, bytes(EMPTY_DICT, binget(1), NONE, SETITEM)), APPENDS, STOP)));
  const record = [['0', f32(1)]] as [string, Uint8Array][];
  const tensor = bytes(tensorOp('0', 1, [1], [1]), binput(1), POP);
  const stateDictUnder = (key: Uint8Array, name: string): Uint8Array => bytes(str(name), EMPTY_DICT, key, EMPTY_DICT, str('weight_ih_l0'), binget(1), SETITEM, SETITEM);
  add('memo_paths.pt', 3, 'inspect', 'E_NO_MODULE', '2000 state_dicts under one 1 MB key (2 GB of key paths and message): keys longer than 1024 characters are not followed',
    ptArchive(bytes(PROTO2, memoised(str('p'.repeat(MB))), tensor, EMPTY_DICT, MARK, ...Array.from({ length: 2000 }, (_, i) => stateDictUnder(bytes(binget(0)), `a${i}`)), SETITEMS, STOP), record));
  add('memo_paths_1000.pt', 3, 'inspect', 'E_LIMIT', '20000 state_dicts under one 1000-character key: the characters of paths and names are counted against the pickle size',
    ptArchive(bytes(PROTO2, memoised(str('p'.repeat(1000))), tensor, EMPTY_DICT, MARK, ...Array.from({ length: 20_000 }, (_, i) => stateDictUnder(bytes(binget(0)), `a${i}`)), SETITEMS, STOP), record));
  const many = bytes(PROTO2, memoised(str('w'.repeat(MB))), tensor, EMPTY_DICT, MARK,
    ...Array.from({ length: 2000 }, (_, i) => bytes(str(`m${i}`), EMPTY_DICT, binget(0), binget(1), SETITEM)), SETITEMS, STOP);
  add('memo_tensor_names.pt', 3, 'inspect', 'E_LIMIT', 'one 1 MB str as the tensor name in 2000 nested state_dicts: names are counted too', ptArchive(many, record));
  // {'x': d}, d = {'a': d, 'a.a': d, 'a.a.a': d, …}: --key x.a.a.….y tries every split of the path.
  const dots = (n: number): string => Array<string>(n).fill('a').join('.');
  const selfRef = bytes(PROTO2, EMPTY_DICT, str('x'), EMPTY_DICT, binput(0), MARK, ...Array.from({ length: 40 }, (_, i) => bytes(str(dots(i + 1)), binget(0))),
    str('weight_ih_l0'), tensorOp('0', 1, [1], [1]), SETITEMS, SETITEM, STOP);
  add('key_self_reference.pt', 3, { inspectKey: `x.${dots(40)}.y` }, 'E_KEY_NOT_FOUND', 'a dict holding itself under a, a.a, a.a.a, …: --key resolution tries each (dict, rest of path) once, not 2^40 times', ptArchive(selfRef, record));
  const longName = bytes(PROTO2, memoised(str('m'.repeat(MB))), binget(0), binget(0), STACK_GLOBAL, STOP);
  add('global_long_name.pt', 3, 'inspect', 'E_PICKLE_GLOBAL', 'STACK_GLOBAL of a 1 MB module name: refused before it is looked up', ptArchive(longName));
  const codecs = bytes(PROTO2, memoised(str('c'.repeat(MB))), global('_codecs', 'encode'), binput(1), POP, EMPTY_LIST,
    times(20_000, bytes(binget(1), MARK, binget(0), str('latin1'), TUPLE, REDUCE, APPEND)), STOP);
  add('codecs_reuse.pt', 3, 'inspect', 'E_LIMIT', "_codecs.encode of one 1 MB str 20000 times (20 GB): the work is charged to a budget of 4 per pickle byte", ptArchive(codecs));
  const list = bytes(EMPTY_LIST, MARK, times(100_000, NONE), APPENDS);
  const sets = bytes(PROTO2, memoised(list), global('builtins', 'set'), binput(1), POP, EMPTY_LIST,
    times(20_000, bytes(binget(1), binget(0), TUPLE1, REDUCE, APPEND)), STOP);
  add('set_reuse.pt', 3, 'inspect', 'E_LIMIT', 'set() of one 100000-item list 20000 times', ptArchive(sets));
  const pidKey = bytes(PROTO2, memoised(str('0'.repeat(MB))), EMPTY_LIST,
    times(20_000, bytes(MARK, str('storage'), global('torch', 'FloatStorage'), binget(0), str('cpu'), binint(1), TUPLE, BINPERSID, APPEND)), STOP);
  add('persistent_id_long_key.pt', 3, 'inspect', 'E_PICKLE_OPCODE', 'a persistent id naming a 1 MB storage key, 20000 times: refused before the key is decoded or looked up', ptArchive(pidKey));
  const shape = bytes(MARK, times(100_000, binint(1)), TUPLE);
  const reshaped = bytes(PROTO2, memoised(shape), EMPTY_LIST,
    times(20_000, bytes(global('torch._utils', '_rebuild_tensor_v2'), MARK, MARK, str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), binint(1), TUPLE, BINPERSID, binint(0), binget(0), binget(0), NEWFALSE, NONE, TUPLE, REDUCE, APPEND)), STOP);
  add('shape_long.pt', 3, 'inspect', 'E_LIMIT', 'a 100000-dimension size tuple reused by 20000 tensors: at most 64 dimensions (numpy\'s limit)', ptArchive(reshaped, record));
  const dims = new Array<number>(10_000).fill(1).join(',');
  add('shape_10000_dims.safetensors', 3, 'inspect', 'E_LIMIT', 'a safetensors shape of 10,000 dimensions', safetensorsRaw(`{"a":{"dtype":"F32","shape":[${dims}],"data_offsets":[0,4]}}`, f32(1)));

  // 8. Terminal injection: names and metadata with control characters.
  const evil = ['\u001b[2J\u001b[Hcleared', 'x\nmodules\n  fake.  nn.LSTM(1, 1)', 'nul\u0000byte', 'c1\u009b31m', 'bidi\u202eevil', 'bell\u0007'];
  const header = `{"__metadata__":{"\\u001b]0;pwned\\u0007":"\\u001b[31mred","k":"a\\nb"},${evil
    .map((n, i) => `${JSON.stringify(`${n}.weight_ih_l0`)}:{"dtype":"F32","shape":[3,2],"data_offsets":[${24 * i},${24 * i + 24}]}`)
    .join(',')}}`;
  const escapes = safetensorsRaw(header, f32(6 * evil.length));
  add('control_names.safetensors', 8, 'inspect', null, 'tensor names and metadata with ESC, newline, NUL, C1, BEL and a bidi override: printed escaped', escapes);
  add('control_names.safetensors', 8, 'inspect --json', null, 'the same as JSON: valid, every control character escaped', escapes);
  add('control_names.safetensors', 8, 'run', 'E_AMBIGUOUS_MODULE', 'an error message listing those names: one escaped line', escapes);
  const lone = safetensorsRaw('{"\\u001b[2J\\u0000\\nrnnport: E_FAKE: forged.weight_ih_l0":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]}}', f32(6));
  add('control_error.safetensors', 8, 'run', 'E_MISSING_PARAMETER', 'a module whose name holds ESC, NUL and a forged error line: the one stderr line stays one line', lone);

  // 9. metadata keys that are Object.prototype's names stay data.
  add('metadata_proto.safetensors', 9, 'inspect --json', null, 'metadata keys __proto__, toString, hasOwnProperty: data of an object without prototype',
    safetensorsRaw('{"__metadata__":{"__proto__":"p","toString":"t","hasOwnProperty":"h","constructor":"c"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1)));
  return cases;
}

/**
 * A reproducer too large to commit: `build()` makes its bytes (deterministic, as the committed
 * ones); `tensors`, the tensors it declares that rnnport keeps (each costs bookkeeping).
 */
export type LargeCase = Omit<BudgetCase, 'bytes'> & { build(): Uint8Array; readonly tensors?: number };

/** Reproducers too large to commit, made at test time. */
export function largeCases(): LargeCase[] {
  return [
    { file: 'npz_bomb.npz', item: 4, command: 'run', code: 'E_LIMIT', why: 'a 1.7 MB npz member inflating to 1.8 GB', build: npzBomb },
    { file: 'million_tensors.safetensors', item: 5, command: 'inspect', code: 'E_LIMIT', why: 'a 59 MB header of 1,000,000 tensors', build: millionTensors },
    { file: 'metadata_million.safetensors', item: 5, command: 'inspect', code: 'E_LIMIT', why: 'a 14 MB __metadata__ of 1,000,000 entries: counted against maxTensors', build: millionMetadata },
    { file: 'wide_name.safetensors', item: 8, command: 'inspect', code: null, why: "a 1 MB tensor name beside 50,000 others: inspect's table clips it and pads no row to its width (50 GB if it did)", build: wideName, tensors: 50_001 },
  ];
}

/**
 * 4. An npz whose weight_ih_l0 member is a 1.7 MB deflate stream inflating to 1.8 GB (deflate's
 * best ratio): the default inflate budget of a 1.7 MB file is 256 MiB, checked before inflating.
 */
function npzBomb(): Uint8Array {
  const elements = 6 * 75_000_000;
  const npyHeader = enc.encode(`${`{'descr': '<f4', 'fortran_order': False, 'shape': (6, ${elements / 6}), }`.padEnd(117, ' ')}\n`);
  const preamble = bytes([0x93], 'NUMPY', [1, 0], [npyHeader.length & 0xff, npyHeader.length >> 8], npyHeader);
  const payload = bytes(storedBlock(preamble), zeroDeflate(4 * elements));
  const size = preamble.length + 4 * elements;
  if (size > payload.length * 1032) throw new Error('npz bomb: past deflate\'s ratio');
  const small = (name: string, shape: number[]): { name: string; data: Uint8Array } => ({ name, data: saveNpy(new Tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)))) });
  return buildZip([
    { name: 'weight_ih_l0.npy', data: new Uint8Array(0), method: 8, payload, uncompressedSize: size, crc: 0 },
    small('weight_hh_l0.npy', [6, 2]),
  ]);
}

/** 8. One 1 MB tensor name among 50,000 short ones (4 MB): every row padded to it would be 50 GB. */
function wideName(): Uint8Array {
  const entry = (name: string): string => `"${name}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`;
  return safetensorsRaw(`{${[entry('w'.repeat(MB)), ...Array.from({ length: 50_000 }, (_, i) => entry(`t${i}`))].join(',')}}`);
}

/** 5. A 14 MB __metadata__ of 1,000,000 entries. */
function millionMetadata(): Uint8Array {
  return safetensorsRaw(`{"__metadata__":{${Array.from({ length: 1_000_000 }, (_, i) => `"k${i}":"v"`).join(',')}}}`);
}

/** 5. A 59 MB safetensors header declaring 1,000,000 tensors: refused at the 100,001st. */
function millionTensors(): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < 1_000_000; i++) parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  return safetensorsRaw(`{${parts.join(',')}}`);
}

/**
 * A final dynamic-Huffman deflate block inflating to `n` zero bytes at deflate's best ratio: a
 * literal 0, then matches of 258 bytes at distance 1 coded in 2 bits (RFC 1951, 3.2.7).
 *   literal/length code lengths: 0 → 2, 256 (end) → 2, 285 (length 258) → 1; codes 285 = 0, 0 = 10, 256 = 11
 *   distance code lengths: 0 → 1, 1 → 1 (a complete code); distance 1 = 0
 *   code length code lengths: 18 → 1, 1 → 2, 2 → 2; codes 18 = 0, 1 = 10, 2 = 11
 * Each match is "0" + "0": the body is zero bits, so only the header and the tail are written.
 */
export function zeroDeflate(n: number): Uint8Array {
  const matches = Math.floor((n - 1) / 258);
  const tail = n - 1 - 258 * matches; // literals after the matches
  const header: [number, number, boolean][] = []; // [value, bits, Huffman code (MSB first)?]
  const put = (value: number, bits: number, code = false): void => void header.push([value, bits, code]);
  put(1, 1); // BFINAL
  put(2, 2); // BTYPE 10: dynamic
  put(286 - 257, 5); // HLIT
  put(2 - 1, 5); // HDIST
  put(18 - 4, 4); // HCLEN: code length code lengths in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1
  for (const len of [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2]) put(len, 3);
  const cl = { one: [0b10, 2], two: [0b11, 2], zeros: [0b0, 1] } as const;
  const zeros = (count: number): void => {
    put(cl.zeros[0], cl.zeros[1], true);
    put(count - 11, 7); // 18: repeat a zero 11–138 times
  };
  put(cl.two[0], cl.two[1], true); // symbol 0: length 2
  zeros(138);
  zeros(117); // symbols 1–255: 0
  put(cl.two[0], cl.two[1], true); // 256: length 2
  zeros(28); // 257–284: 0
  put(cl.one[0], cl.one[1], true); // 285: length 1
  put(cl.one[0], cl.one[1], true); // distance 0: length 1
  put(cl.one[0], cl.one[1], true); // distance 1: length 1
  put(0b10, 2, true); // literal 0
  const headerBits = header.reduce((sum, [, bits]) => sum + bits, 0);
  const totalBits = headerBits + 2 * matches + 2 * tail + 2;
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  let pos = 0;
  const write = (value: number, bits: number, code: boolean): void => {
    for (let i = 0; i < bits; i++, pos++) {
      const bit = code ? (value >> (bits - 1 - i)) & 1 : (value >> i) & 1;
      out[pos >> 3] = (out[pos >> 3] as number) | (bit << (pos & 7));
    }
  };
  for (const [value, bits, code] of header) write(value, bits, code);
  pos += 2 * matches; // "0" (length 258) + "0" (distance 1), zero bits each
  for (let i = 0; i < tail; i++) write(0b10, 2, true);
  write(0b11, 2, true); // end of block
  return out;
}

/** A non-final stored deflate block holding `data` (under 64 KiB). */
function storedBlock(data: Uint8Array): Uint8Array {
  const len = data.length;
  return bytes([0], [len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff], data);
}

/** Writes the corpus under `root` (test/malformed/budget). */
export function writeBudgetCorpus(root: string): void {
  const cases = buildBudgetCorpus();
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const c of cases) writeFileSync(join(root, c.file), c.bytes);
  writeFileSync(join(root, 'cases.json'), `${JSON.stringify(cases.map(({ bytes: _, ...c }) => c), null, 1)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) writeBudgetCorpus(join(process.cwd(), 'test', 'malformed', 'budget'));
