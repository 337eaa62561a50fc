/**
 * Plain-text building blocks of the CLI's reports: aligned tables and numbers printed so that
 * errors read at a glance (`3.1e-7`) and sizes as a person counts them (`1.5 MiB`). A table
 * cell may hold a name from a file: every cell is escaped (`escapeControl`), so a name cannot
 * move the cursor, clear the screen or start a line of its own, and clipped, so one name of
 * megabytes neither floods the terminal nor pads every other row to its width.
 */
import { clip, escapeControl, formatDetail, type ErrorDetail, type RnnportErrorCode } from '../../errors.js';

/** Longest cell printed, in characters; `--json` keeps every name whole. */
export const MAX_CELL = 1000;
/** Widest a column is padded to: a longer cell overflows its row only. */
const MAX_PAD = 120;

/** Rows of cells as aligned columns, each cell escaped and clipped; the last column is left ragged. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const cells = rows.map((row) => row.map((cell) => clip(escapeControl(clip(cell, MAX_CELL)), MAX_CELL)));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.min(MAX_PAD, Math.max(widths[i] ?? 0, cell.length))));
  return cells
    .map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** An error magnitude: `0`, `3.1e-7`; `—` where there is none to show (a failed run, different shapes). */
export function formatError(value: number): string {
  if (value === 0) return '0';
  return Number.isFinite(value) ? value.toExponential(1) : '—';
}

/** An error as a fraction of its tolerance: `0.08`, `3.2e+3`; `> 1` against a zero tolerance. */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return '> 1';
  return value === 0 ? '0' : value < 0.01 || value >= 1000 ? value.toExponential(1) : String(Number(value.toPrecision(2)));
}

/** The one stderr line of a failed check: `rnnport: E_MISMATCH: what: expected …, got …`. */
export function failureLine(code: RnnportErrorCode, detail: ErrorDetail): string {
  return `rnnport: ${code}: ${formatDetail(detail)}\n`;
}

/** A value as numpy prints it when asked for precision: enough digits to tell float32 values apart. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(9))) : String(value);
}

/** Bytes as B / KiB / MiB / GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
