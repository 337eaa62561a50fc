/**
 * JSON documents the CLI prints or writes. Every one carries `"schema": 1` first
 * (../shared/CONTRACTS.md, "CLI"); a change that breaks readers bumps it.
 */

/** `{"schema":1,...doc}` on one line (bench, and anything meant for `jq`/scripts line by line). */
export function jsonLine(doc: object): string {
  return `${JSON.stringify({ schema: 1, ...doc }, replacer)}\n`;
}

/** `{"schema":1,...doc}` indented, for reports read by people too. */
export function jsonDocument(doc: object): string {
  return `${JSON.stringify({ schema: 1, ...doc }, replacer, 2)}\n`;
}

/** JSON has no Infinity / NaN / bigint: write them as strings so nothing is silently null. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
