/**
 * Explanation → a standalone SVG string: the layers × time grid of a recurrent module, with
 * output and h_n (c_n) highlighted. Forward rows run left to right and hand their final state to
 * an h_n box on the right; reverse rows run right to left and end in an h_n box on the left, at
 * t = 0. With packed lengths there is one panel per sequence, its padding drawn dashed, so the
 * step where each sequence's h_n is taken is visible. See Note [h_n rows in output] in facts.ts.
 *
 * Browser-safe: builds a string, touches no DOM.
 */
import { formatEquality } from './facts.js';
import type { Explanation } from './explain.js';

const CELL_W = 56;
const CELL_H = 24;
const GAP_X = 22;
const ROW_GAP = 8;
const LAYER_GAP = 10;
const LABEL_W = 124;
const MARGIN = 16;
/** More steps than this are drawn as the first and last few plus the steps that matter. */
const MAX_COLUMNS = 14;
const MAX_PANELS = 4;
/** Equalities listed under the picture; the rest are counted in one line. */
const MAX_EQUALITIES = 6;

const FORWARD = { stroke: '#1d4ed8', fill: '#dbeafe' };
const REVERSE = { stroke: '#c2410c', fill: '#ffedd5' };
const INPUT = { stroke: '#6b7280', fill: '#f3f4f6' };
const PAD = { stroke: '#9ca3af', fill: '#ffffff' };
const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A generous estimate of a text's width (0.6 em per character): enough to size the canvas. */
function textWidth(content: string, px: number): number {
  return content.length * px * 0.6;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${esc(content)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, style: { stroke: string; fill: string }, extra = ''): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="${style.fill}" stroke="${style.stroke}" ${extra}/>`;
}

function arrow(x1: number, y1: number, x2: number, y2: number, color: string, extra = ''): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="1.5" marker-end="url(#arrow-${color.slice(1)})" ${extra}/>`;
}

/** Time steps to draw: all of them, or for long sequences the ends plus the steps where states are taken. */
function visibleSteps(T: number, important: readonly number[]): (number | 'gap')[] {
  if (T <= MAX_COLUMNS) return Array.from({ length: T }, (_, t) => t);
  const keep = new Set<number>([0, 1, T - 2, T - 1]);
  for (const t of important) for (const u of [t - 1, t, t + 1]) if (u >= 0 && u < T) keep.add(u);
  const sorted = [...keep].sort((a, b) => a - b);
  const out: (number | 'gap')[] = [];
  sorted.forEach((t, i) => {
    if (i > 0 && t !== (sorted[i - 1] as number) + 1) out.push('gap');
    out.push(t);
  });
  return out;
}

/** What every row of a panel needs: the config, the drawn time steps and where their columns are. */
interface Grid {
  readonly L: number;
  readonly D: number;
  readonly isLstm: boolean;
  readonly boxW: number;
  readonly steps: readonly (number | 'gap')[];
  readonly colX: readonly number[];
  /** Left edge of the first column and right edge of the last. */
  readonly gridX: number;
  readonly gridRight: number;
}

/** One sequence's panel (or the whole batch's, unpacked): `len` valid steps, h_n indices suffixed `, b`. */
interface Panel {
  readonly len: number;
  readonly suffix: string;
}

const PAD_DASH = 'stroke-dasharray="3 3"';

/** The output row: each valid step split in forward | reverse halves; the halves equal to h_n are tagged. */
function outputRow(g: Grid, p: Panel, y: number, tagY: (d: number) => number): string[] {
  const out = [text(MARGIN, y + 16, 'output', 'font-size="12" font-weight="bold"')];
  g.steps.forEach((t, i) => {
    const x = g.colX[i] as number;
    if (t === 'gap') {
      out.push(text(x + CELL_W / 2, y + 16, '…', 'font-size="14" text-anchor="middle"'));
      return;
    }
    if (t >= p.len) {
      out.push(rect(x, y, CELL_W, CELL_H, PAD, PAD_DASH), text(x + CELL_W / 2, y + 16, '0 (pad)', 'font-size="10" text-anchor="middle" fill="#6b7280"'));
      return;
    }
    const half = CELL_W / g.D;
    for (let d = 0; d < g.D; d++) {
      const isTaken = d === 0 ? t === p.len - 1 : t === 0;
      const style = d === 0 ? FORWARD : REVERSE;
      out.push(rect(x + d * half, y, half, CELL_H, style, isTaken ? 'stroke-width="3"' : ''));
      if (g.D === 2) out.push(text(x + d * half + half / 2, y + 16, d === 0 ? 'fwd' : 'rev', 'font-size="9" text-anchor="middle" fill="#1f2937"'));
      if (isTaken) {
        const row = (g.L - 1) * g.D + d;
        out.push(text(x + d * half + half / 2, tagY(d), `= h_n[${row}${p.suffix}]`, `font-size="10" text-anchor="middle" font-weight="bold" fill="${style.stroke}"`));
      }
    }
    if (g.D === 1) out.push(text(x + CELL_W / 2, y + 16, `out t=${t}`, 'font-size="9" text-anchor="middle" fill="#1f2937"'));
  });
  return out;
}

/** One layer × direction: its cells, the recurrence arrows, and the h_n (c_n) box its final state goes to. */
function stateRow(g: Grid, p: Panel, layer: number, d: number, y: number): string[] {
  const style = d === 0 ? FORWARD : REVERSE;
  const cy = y + CELL_H / 2;
  const row = layer * g.D + d;
  const out = [text(MARGIN, cy + 4, `layer ${layer} ${d === 0 ? 'forward' : 'reverse'}`, `font-size="12" fill="${style.stroke}"`)];
  // a column is inside the sequence when its step (for a gap: the step after it) is < len
  const inside = (i: number): boolean => {
    const t = g.steps[i] === 'gap' ? g.steps[i + 1] : g.steps[i];
    return typeof t === 'number' && t < p.len;
  };
  g.steps.forEach((t, i) => {
    const x = g.colX[i] as number;
    if (t === 'gap') {
      out.push(text(x + CELL_W / 2, cy + 4, '…', `font-size="14" text-anchor="middle" fill="${style.stroke}"`));
    } else if (t < p.len) {
      const isTaken = d === 0 ? t === p.len - 1 : t === 0;
      out.push(rect(x, y, CELL_W, CELL_H, style, isTaken ? 'stroke-width="3"' : ''), text(x + CELL_W / 2, cy + 4, `h t=${t}`, 'font-size="10" text-anchor="middle" fill="#1f2937"'));
    } else {
      out.push(rect(x, y, CELL_W, CELL_H, PAD, PAD_DASH), text(x + CELL_W / 2, cy + 4, 'pad', 'font-size="10" text-anchor="middle" fill="#9ca3af"'));
    }
    // recurrence between this column and the next: forward t → t+1, reverse t+1 → t
    if (i + 1 < g.steps.length && inside(i) && inside(i + 1)) {
      const x2 = g.colX[i + 1] as number;
      const dotted = t === 'gap' || g.steps[i + 1] === 'gap' ? 'stroke-dasharray="2 2"' : '';
      out.push(d === 0 ? arrow(x + CELL_W + 2, cy, x2 - 3, cy, style.stroke, dotted) : arrow(x2 - 2, cy, x + CELL_W + 3, cy, style.stroke, dotted));
    }
  });
  // the final state goes to h_n: forward from t = len − 1 to the right, reverse from t = 0 to the left
  const label = `h_n[${row}${p.suffix}]${g.isLstm ? `, c_n[${row}${p.suffix}]` : ''}`;
  const bx = d === 0 ? g.gridRight + GAP_X : g.gridX - GAP_X - g.boxW;
  if (d === 0) out.push(arrow((g.colX[g.steps.indexOf(p.len - 1)] as number) + CELL_W + 2, cy, bx - 3, cy, style.stroke));
  else out.push(arrow(g.gridX - 2, cy, bx + g.boxW + 3, cy, style.stroke));
  out.push(rect(bx, y, g.boxW, CELL_H, style, 'stroke-width="2"'), text(bx + g.boxW / 2, cy + 4, label, 'font-size="11" text-anchor="middle" font-weight="bold"'));
  return out;
}

/** The input row and the time labels under it. */
function inputRow(g: Grid, p: Panel, y: number): string[] {
  const out = [text(MARGIN, y + 16, 'input', 'font-size="12" font-weight="bold" fill="#374151"')];
  g.steps.forEach((t, i) => {
    if (t === 'gap') return;
    const x = g.colX[i] as number;
    if (t < p.len) out.push(rect(x, y, CELL_W, CELL_H, INPUT), text(x + CELL_W / 2, y + 16, `x t=${t}`, 'font-size="10" text-anchor="middle" fill="#1f2937"'));
    else out.push(rect(x, y, CELL_W, CELL_H, PAD, PAD_DASH), text(x + CELL_W / 2, y + 16, 'pad', 'font-size="10" text-anchor="middle" fill="#9ca3af"'));
    out.push(text(x + CELL_W / 2, y + CELL_H + 15, `t = ${t}`, 'font-size="11" text-anchor="middle" fill="#374151"'));
  });
  return out;
}

/** A panel from `top`: equality tags, output, the state rows (last layer on top), input. Returns its parts and bottom. */
function panel(g: Grid, p: Panel, top: number): { parts: string[]; bottom: number } {
  const { L, D } = g;
  // equality tags above the output row: forward on the upper line, reverse below it
  const tagY = (d: number): number => top + 12 + d * 12;
  const outputY = top + (D === 2 ? 30 : 18);
  const rowY = (layer: number, d: number): number =>
    outputY + CELL_H + ROW_GAP + ((L - 1 - layer) * D + d) * (CELL_H + ROW_GAP) + (L - 1 - layer) * LAYER_GAP;
  const inputY = rowY(0, D - 1) + CELL_H + ROW_GAP;
  const parts: string[] = [];
  // data flows up each column: faint spines behind the cells
  g.steps.forEach((t, i) => {
    if (t === 'gap') return;
    const x = (g.colX[i] as number) + CELL_W / 2;
    parts.push(`<line x1="${x}" y1="${outputY + CELL_H}" x2="${x}" y2="${inputY}" stroke="#d1d5db" stroke-width="1"/>`);
  });
  parts.push(...outputRow(g, p, outputY, tagY));
  for (let layer = L - 1; layer >= 0; layer--) for (let d = 0; d < D; d++) parts.push(...stateRow(g, p, layer, d, rowY(layer, d)));
  parts.push(...inputRow(g, p, inputY));
  return { parts, bottom: inputY + CELL_H + 22 };
}

/** The legend and the checked equalities from `top`. Returns its parts, bottom and right edge. */
function footer(e: Explanation, top: number): { parts: string[]; bottom: number; right: number } {
  const legend: [string, { stroke: string; fill: string }, string][] = [['forward direction', FORWARD, '']];
  if (e.config.directions === 2) legend.push(['reverse direction', REVERSE, '']);
  if (e.config.lengths !== null) legend.push(['padding (not computed)', PAD, PAD_DASH]);
  legend.push(['thick border: the step h_n is taken from', { stroke: '#111827', fill: '#ffffff' }, 'stroke-width="3"']);
  const parts: string[] = [];
  let x = MARGIN;
  for (const [label, style, extra] of legend) {
    parts.push(rect(x, top, 18, 14, style, extra), text(x + 24, top + 11, label, 'font-size="12"'));
    x += 24 + textWidth(label, 12) + 20;
  }
  let right = x;
  let y = top + 30;
  parts.push(text(MARGIN, y, `Checked on random weights (${e.check.engine} engine):`, 'font-size="12" font-weight="bold"'));
  const shown = e.equalities.filter((fact) => fact.equal).slice(0, MAX_EQUALITIES);
  for (const f of shown) {
    const ok = e.check.holds[e.equalities.indexOf(f)] === true;
    const line = `${ok ? '✓' : '✗'} ${formatEquality(f)}   (${f.why})`;
    y += 17;
    right = Math.max(right, MARGIN + 8 + textWidth(line, 12));
    parts.push(text(MARGIN + 8, y, line, `font-size="12" font-family="DejaVu Sans Mono, Menlo, monospace" fill="${ok ? '#065f46' : '#b91c1c'}"`));
  }
  const hidden = e.equalities.filter((f) => !shown.includes(f));
  if (hidden.length > 0) {
    const failing = hidden.filter((f) => e.check.holds[e.equalities.indexOf(f)] !== true).length;
    const line = `… and ${hidden.length} more fact(s) checked, not drawn (${failing === 0 ? 'all hold' : `${failing} do NOT hold`}): \`rnnport explain\` lists them all`;
    y += 17;
    right = Math.max(right, MARGIN + 8 + textWidth(line, 12));
    parts.push(text(MARGIN + 8, y, line, `font-size="12" fill="${failing === 0 ? '#374151' : '#b91c1c'}"`));
  }
  return { parts, bottom: y + MARGIN, right };
}

/** Draws the explanation; the same picture the README shows. */
export function explainSvg(e: Explanation): string {
  const c = e.config;
  const { numLayers: L, directions: D, seqLen: T } = c;
  const isLstm = c.mode === 'LSTM';
  // the h_n (c_n) boxes fit their longest label, e.g. `h_n[3, 12], c_n[3, 12]` (bold: ~10 % wider)
  const lastRow = L * D - 1;
  const suffix = c.lengths === null ? '' : `, ${c.lengths.length - 1}`;
  const longest = `h_n[${lastRow}${suffix}]${isLstm ? `, c_n[${lastRow}${suffix}]` : ''}`;
  const boxW = Math.ceil(textWidth(longest, 11) * 1.1) + 12;
  const steps = visibleSteps(T, (c.lengths ?? []).flatMap((n) => [n - 1, n]));
  const gridX = MARGIN + LABEL_W + (D === 2 ? boxW + GAP_X : 0);
  const colX = steps.map((_, i) => gridX + i * (CELL_W + GAP_X));
  const gridRight = (colX[colX.length - 1] as number) + CELL_W;
  const g: Grid = { L, D, isLstm, boxW, steps, colX, gridX, gridRight };

  const parts = [
    text(MARGIN, MARGIN + 14, e.module, 'font-size="15" font-weight="bold"'),
    text(
      MARGIN,
      MARGIN + 32,
      `input: T = ${T} steps, B = ${c.batch}${c.lengths === null ? '' : `, lengths ${c.lengths.join(', ')} (packed)`}; output = last layer at every step, h_n = every layer's final state`,
      'font-size="12" fill="#374151"',
    ),
  ];
  let y = MARGIN + 48;
  if (c.lengths === null) {
    const drawn = panel(g, { len: T, suffix: '' }, y);
    parts.push(...drawn.parts);
    y = drawn.bottom;
  } else {
    c.lengths.slice(0, MAX_PANELS).forEach((len, b) => {
      parts.push(text(MARGIN, y + 14, `sequence b = ${b}: length ${len}${len < T ? `, padded to ${T}` : ''}`, 'font-size="13" font-weight="bold"'));
      const drawn = panel(g, { len, suffix: `, ${b}` }, y + 20);
      parts.push(...drawn.parts);
      y = drawn.bottom;
    });
    if (c.batch > MAX_PANELS) {
      parts.push(text(MARGIN, y + 4, `… and ${c.batch - MAX_PANELS} more sequence(s), drawn the same way`, 'font-size="12" fill="#374151"'));
      y += 20;
    }
  }
  const foot = footer(e, y + 6);
  parts.push(...foot.parts);

  const width = Math.ceil(Math.max(gridRight + GAP_X + boxW + MARGIN, foot.right + MARGIN));
  const height = foot.bottom;
  const markers = [FORWARD.stroke, REVERSE.stroke]
    .map((color) => `<marker id="arrow-${color.slice(1)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>${esc(`${e.module}: what output and h_n contain`)}</title>`,
    `<defs>${markers}</defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
