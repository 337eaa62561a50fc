import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseJsonHeader, type JsonValue } from '../../../src/io/json-header.js';
import { errorOf } from './helpers.js';

const enc = new TextEncoder();
const parse = (s: string | Uint8Array): JsonValue => parseJsonHeader(typeof s === 'string' ? enc.encode(s) : s, 'h');
const codeOf = (s: string | Uint8Array): string => {
  try {
    parse(s);
  } catch {
    return errorOf(() => parse(s)).code;
  }
  return 'ok';
};

describe('parseJsonHeader', () => {
  it('parses objects as Maps in key order, arrays, strings, integers and literals', () => {
    const v = parse('{"b":[1,-2,{}],"a":{"x":"y"},"t":true,"f":false,"n":null,"e":[]}');
    expect(v).toEqual(new Map<string, JsonValue>([['b', [1, -2, new Map()]], ['a', new Map([['x', 'y']])], ['t', true], ['f', false], ['n', null], ['e', []]]));
    expect([...(v as Map<string, JsonValue>).keys()]).toEqual(['b', 'a', 't', 'f', 'n', 'e']);
  });

  it('keeps "__proto__" as a plain key', () => {
    expect((parse('{"__proto__":"x"}') as Map<string, JsonValue>).get('__proto__')).toBe('x');
  });

  it('decodes escapes and surrogate pairs', () => {
    expect(parse('"\\u0041\\n\\t\\"\\\\\\/\\ud83d\\ude00é"')).toBe('A\n\t"\\/😀é');
  });

  it('rejects duplicate keys, also nested', () => {
    expect(codeOf('{"a":1,"a":2}')).toBe('E_DUPLICATE_KEY');
    expect(codeOf('{"m":{"k":"1","k":"1"}}')).toBe('E_DUPLICATE_KEY');
    expect(codeOf('[{"k":1},{"k":1}]')).toBe('ok');
  });

  it('rejects a byte-order mark and invalid UTF-8', () => {
    expect(codeOf(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('E_HEADER_JSON');
    expect(codeOf(new Uint8Array([0x22, 0xc3, 0x28, 0x22]))).toBe('E_HEADER_JSON');
    expect(codeOf(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).toBe('E_HEADER_JSON');
  });

  it('accepts integer literals only, and only safe ones', () => {
    expect(parse('[0,9007199254740991]')).toEqual([0, 9007199254740991]);
    for (const bad of ['[1.0]', '[1e2]', '[1E2]', '[01]', '[+1]', '[.5]', '[-]', '[NaN]', '[Infinity]']) expect(codeOf(bad), bad).toBe('E_HEADER_JSON');
    expect(codeOf('[9007199254740992]')).toBe('E_SIZE_OVERFLOW');
    expect(codeOf('[-9007199254740993]')).toBe('E_SIZE_OVERFLOW');
  });

  it('rejects lone surrogates, raw control characters and bad escapes', () => {
    for (const bad of ['"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"a\u0001"', '"\\x41"', '"\\u12"', '"abc']) expect(codeOf(bad), bad).toBe('E_HEADER_JSON');
  });

  it('allows whitespace padding after the document, nothing else', () => {
    expect(parse('{"a":1}    ')).toEqual(new Map([['a', 1]]));
    expect(parse(' \n{ "a" : 1 }\r\n\t ')).toEqual(new Map([['a', 1]]));
    for (const bad of ['{"a":1}x', '{"a":1}\u0000', '{"a":1}{}', '{"a":1,}', '[1,]', '{,}', '{"a"}', '{"a":}', '', '  ', 'tru', '{"a":1']) expect(codeOf(bad), JSON.stringify(bad)).toBe('E_HEADER_JSON');
  });

  it(`accepts nesting up to ${MAX_DEPTH} and rejects deeper input without recursing`, () => {
    expect(codeOf(`${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`)).toBe('ok');
    expect(codeOf(`${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}`)).toBe('E_HEADER_JSON');
    expect(codeOf('['.repeat(1_000_000))).toBe('E_HEADER_JSON');
    expect(codeOf('{"a":'.repeat(200_000))).toBe('E_HEADER_JSON');
  });

  it('reports the character position', () => {
    expect(errorOf(() => parse('{"a":1}x')).detail).toMatchObject({ what: 'header JSON', at: 'h, character 7' });
  });
});
