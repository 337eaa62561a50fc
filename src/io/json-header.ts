/**
 * A strict JSON parser for safetensors headers (RFC 8259 plus the format's rules), iterative with
 * an explicit stack so no input can overflow the call stack. Differences from `JSON.parse`, each
 * one a rule of safetensors' `read_metadata` (safetensors/src/tensor.rs):
 *   - bytes must be UTF-8 (TextDecoder fatal) with no byte-order mark;
 *   - duplicate object keys are E_DUPLICATE_KEY (`JSON.parse` keeps the last one silently);
 *   - numbers are integer literals only (the header holds shapes and offsets), and an integer
 *     past 2^53 − 1 is E_SIZE_OVERFLOW rather than a rounded double;
 *   - nesting deeper than MAX_DEPTH, lone surrogate escapes and trailing non-whitespace are
 *     E_HEADER_JSON.
 * Objects come back as Maps in key order. `onEntry` streams the root object's entries to the
 * caller as each is parsed (safetensors checks each tensor and counts them while parsing), so a
 * header of a million entries is refused at the first one past a limit, having held one at a time.
 */
import { fail } from '../errors.js';

/** A parsed JSON value: objects are Maps (key order kept, no prototype keys). */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export type JsonObject = Map<string, JsonValue>;

/** Deepest nesting accepted; a safetensors header needs 3. */
export const MAX_DEPTH = 64;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** An integer literal, at most 400 digits read (sticky: matched in place, no substring). */
const NUMBER = /-?(?:0|[1-9][0-9]{0,399})/y;

type Frame = { readonly array: JsonValue[] } | { readonly object: JsonObject; key: string };

/**
 * Called with each entry of the root object as soon as it is parsed (`index` counts from 0);
 * the returned Map then holds the keys only (each value null), for duplicate detection.
 */
export type EntrySink = (key: string, value: JsonValue, index: number) => void;

/** Parses `bytes` as one strict JSON document; `where` names the header for errors. */
export function parseJsonHeader(bytes: Uint8Array, where: string, onEntry?: EntrySink, maxItems?: number): JsonValue {
  return parseJsonText(decodeJsonHeader(bytes, where), where, onEntry, maxItems);
}

/**
 * The header's text: UTF-8 (fatal), no byte-order mark. A caller holding a large header may
 * decode it and drop the bytes before parsing, so that both are never held while parsing.
 */
export function decodeJsonHeader(bytes: Uint8Array, where: string): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw fail('E_HEADER_JSON', { what: 'header', expected: 'valid UTF-8', got: 'invalid bytes', at: where });
  }
  if (text.charCodeAt(0) === 0xfeff) throw fail('E_HEADER_JSON', { what: 'header', expected: 'no byte-order mark', got: 'U+FEFF', at: where });
  return text;
}

/**
 * Parses decoded header text (see `parseJsonHeader`). `maxItems` bounds the items of any array or
 * object below the root (E_LIMIT as soon as one has more), so a shape of a million dimensions or
 * a metadata object of a million keys is refused before it is built; the root's entries are the
 * caller's to count (`onEntry`).
 */
export function parseJsonText(text: string, where: string, onEntry?: EntrySink, maxItems: number = Number.MAX_SAFE_INTEGER): JsonValue {
  let i = 0;
  const error = (expected: string): never => {
    const got = i < text.length ? JSON.stringify(text.slice(i, i + 12)) : 'end of header';
    throw fail('E_HEADER_JSON', { what: 'header JSON', expected, got, at: `${where}, character ${i}` });
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      i++;
    }
  };
  const readString = (): string => {
    if (text[i] !== '"') error('a string');
    i++;
    let out = '';
    let start = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) error('a closing quote');
      if (c === 0x22) break;
      if (c < 0x20) error('no raw control characters in strings');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1] ?? '';
      if (e === 'u') {
        const unit = readHex(i + 2);
        i += 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) error('no lone low surrogate');
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = text.startsWith('\\u', i) ? readHex(i + 2) : -1;
          if (low < 0xdc00 || low > 0xdfff) error('a low surrogate after a high surrogate');
          i += 6;
          out += String.fromCharCode(unit, low);
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        const r = ESCAPES[e];
        if (r === undefined) error('a valid escape');
        out += r;
        i += 2;
      }
      start = i;
    }
    out += text.slice(start, i);
    i++;
    return out;
  };
  const readHex = (p: number): number => {
    const h = text.slice(p, p + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) error('four hex digits after \\u');
    return parseInt(h, 16);
  };
  const readNumber = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) error('a value');
    const literal = (m as RegExpExecArray)[0];
    i += literal.length;
    const next = text[i];
    if (next === '.' || next === 'e' || next === 'E' || (next !== undefined && next >= '0' && next <= '9')) error('an integer');
    const value = Number(literal);
    if (!Number.isSafeInteger(value)) {
      throw fail('E_SIZE_OVERFLOW', { what: 'header integer', expected: 'at most 2^53 − 1', got: literal, at: `${where}, character ${i - literal.length}` });
    }
    return value;
  };
  const readKey = (object: JsonObject): string => {
    const keyAt = i;
    const key = readString();
    if (object.has(key)) throw fail('E_DUPLICATE_KEY', { what: 'header key', expected: 'unique keys', got: JSON.stringify(key), at: `${where}, character ${keyAt}` });
    skipSpace();
    if (text[i] !== ':') error("':'");
    i++;
    skipSpace();
    return key;
  };

  const stack: Frame[] = [];
  skipSpace();
  for (;;) {
    let value: JsonValue;
    const c = text[i];
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) error(`nesting at most ${MAX_DEPTH} deep`);
      i++;
      skipSpace();
      if (c === '{' && text[i] !== '}') {
        const object: JsonObject = new Map();
        stack.push({ object, key: readKey(object) });
        continue;
      }
      if (c === '[' && text[i] !== ']') {
        stack.push({ array: [] });
        continue;
      }
      i++;
      value = c === '{' ? new Map() : [];
    } else if (c === '"') {
      value = readString();
    } else if (text.startsWith('true', i)) {
      value = true;
      i += 4;
    } else if (text.startsWith('false', i)) {
      value = false;
      i += 5;
    } else if (text.startsWith('null', i)) {
      value = null;
      i += 4;
    } else {
      value = readNumber();
    }
    // Attach the value, then close as many containers as the next characters say.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        skipSpace();
        if (i !== text.length) error('end of header (only whitespace may pad it)');
        return value;
      }
      if ('array' in top) top.array.push(value);
      else if (onEntry !== undefined && stack.length === 1) {
        top.object.set(top.key, null);
        onEntry(top.key, value, top.object.size - 1);
      } else top.object.set(top.key, value);
      const items = 'array' in top ? top.array.length : top.object.size;
      if (items > maxItems && !(onEntry !== undefined && stack.length === 1)) {
        throw fail('E_LIMIT', { what: 'items of one JSON array or object in the header', expected: `at most ${maxItems}`, got: 'more', at: `${where}, character ${i}` });
      }
      skipSpace();
      const d = text[i];
      if (d === ',') {
        i++;
        skipSpace();
        if ('object' in top) top.key = readKey(top.object);
        break;
      }
      if (d !== ('array' in top ? ']' : '}')) error(`',' or '${'array' in top ? ']' : '}'}'`);
      i++;
      stack.pop();
      value = 'array' in top ? top.array : top.object;
    }
  }
}
