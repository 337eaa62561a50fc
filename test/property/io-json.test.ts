// The strict header parser against JSON.parse: the same values on the JSON it accepts, and never
// anything but an RnnportError on arbitrary text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRnnportError } from '../../src/errors.js';
import { parseJsonHeader, type JsonValue } from '../../src/io/json-header.js';

const enc = new TextEncoder();

/** JSON.parse's result with objects as Maps, as parseJsonHeader returns them. */
function toMaps(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(toMaps);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toMaps(x)]));
  return v as JsonValue;
}

const onlySafeIntegers = (v: unknown): boolean =>
  typeof v === 'number' ? Number.isSafeInteger(v) && !Object.is(v, -0) : Array.isArray(v) ? v.every(onlySafeIntegers) : v !== null && typeof v === 'object' ? Object.values(v).every(onlySafeIntegers) : true;

describe('parseJsonHeader', () => {
  it('agrees with JSON.parse on JSON of strings, integers, literals, arrays and objects', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }).filter(onlySafeIntegers), fc.constantFrom('', ' ', '  \n'), (v, pad) => {
        const text = JSON.stringify(v) + pad;
        expect(parseJsonHeader(enc.encode(text), 'h')).toEqual(toMaps(JSON.parse(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts nothing JSON.parse rejects, and throws only RnnportError', () => {
    const alphabet = fc.constantFrom(...'{}[]":,0123456789-.eE tfnrulase\\u"\n'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), (text) => {
        let ours: JsonValue | undefined;
        try {
          ours = parseJsonHeader(enc.encode(text), 'h');
        } catch (e) {
          expect(isRnnportError(e)).toBe(true);
          return;
        }
        expect(ours).toEqual(toMaps(JSON.parse(text)));
      }),
      { numRuns: 1000 },
    );
  });
});
