/**
 * The text arguments of protocol 0 opcodes (still legal in any protocol): STRING's quoted
 * Python 2 repr and UNICODE's raw-unicode-escape.
 * reference: https://github.com/python/cpython/blob/v3.12.0/Lib/pickle.py (load_string, load_unicode)
 */

/** How a caller reports a malformed argument (E_PICKLE_OPCODE with its location). */
export type Bad = (what: string, expected: string, got: string) => never;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { '\\': 0x5c, "'": 0x27, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, b: 0x08, f: 0x0c, v: 0x0b };

/** STRING's argument: a Python 2 `repr` of a byte string ('…' or "…", backslash escapes). */
export function unquote(s: string, bad: Bad): Uint8Array {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) return bad('STRING', 'a quoted string', JSON.stringify(s.slice(0, 40)));
  const body = s.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c & 0xff);
      continue;
    }
    const e = body[++i] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out.push(simple);
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/^[0-7]{1,3}/.test(body.slice(i, i + 3))) {
      const oct = (/^[0-7]{1,3}/.exec(body.slice(i, i + 3)) as RegExpExecArray)[0];
      out.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else return bad('STRING escape', 'a Python escape', `\\${e}`);
  }
  return Uint8Array.from(out);
}

/** UNICODE's argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX; other bytes are Latin-1). */
export function rawUnicodeEscape(s: string, bad: Bad): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (_m, hex: string) => {
    const cp = parseInt(hex.slice(1), 16);
    if (cp > 0x10ffff) bad('UNICODE escape', 'a code point ≤ 0x10FFFF', hex);
    return String.fromCodePoint(cp);
  });
}
