/**
 * JSON documents the CLI prints or writes. Every one carries `"schema": 1` first
 * (the README's CLI contract); a change that breaks readers bumps it.
 */

/** `{"schema":1,...doc}` on one line (bench, and anything meant for `jq`/scripts line by line). */
export function jsonLine(doc: object): string {
  return `${printable(JSON.stringify({ schema: 1, ...doc }, replacer))}\n`;
}

/** `{"schema":1,...doc}` indented, for reports read by people too. */
export function jsonDocument(doc: object): string {
  return `${printable(JSON.stringify({ schema: 1, ...doc }, replacer, 2))}\n`;
}

/**
 * JSON.stringify escapes C0 controls but leaves DEL, C1 (0x80–0x9F), the line separators and
 * the bidirectional overrides raw: written as \uXXXX they are the same JSON, and a terminal
 * showing the document sees no control character.
 */
function printable(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON has no Infinity / NaN / bigint: write them as strings so nothing is silently null. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
