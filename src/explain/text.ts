/**
 * Explanation → plain text: the shapes, where each h_n row is taken, and the equalities with
 * whether the run on random weights confirmed each one. Used by `rnnport explain`.
 */
import { formatShape } from '../tensor.js';
import { formatEquality } from './facts.js';
import type { Explanation } from './explain.js';

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** Renders an explanation as the lines `rnnport explain` prints. */
export function explainText(e: Explanation): string {
  const c = e.config;
  const input = c.lengths === null ? `T=${c.seqLen}, B=${c.batch}` : `T=${c.seqLen}, B=${c.batch}, lengths ${c.lengths.join(',')}`;
  const lines = [
    `${e.module}   ${input}${c.batchFirst ? ', batch_first=True' : ''}`,
    `L=${c.numLayers} layer(s) × D=${c.directions} direction(s), H=${c.hiddenSize}, H_out=${c.hOut}`,
    '',
    'Shapes',
    ...table(e.shapes.map((s) => [s.name, formatShape(s.shape), s.dims, s.note])),
    `  h_n.view(${e.hNView.join(', ')})[layer, direction] == h_n[layer*${c.directions} + direction]`,
    '',
    'h_n rows' + (c.mode === 'LSTM' ? ' (c_n alike)' : ''),
    ...table(
      e.states.map((s) => {
        const uniform = s.takenAt.every((t) => t === s.takenAt[0]);
        const at = uniform ? `state at t = ${s.takenAt[0]}` : `state at t = ${s.takenAt.join(', ')} (per sequence)`;
        const where = c.directions === 2 ? `also in output, ${s.direction === 'forward' ? 'first' : 'second'} half` : 'also in output';
        return [`h_n[${s.row}]`, `layer ${s.layer} ${s.direction}`, at, s.inOutput ? where : 'not in output'];
      }),
    ),
    '',
    `Equalities (checked by running it on random weights, ${e.check.engine} engine, seed ${e.check.seed})`,
    ...table(e.equalities.map((f, i) => [e.check.holds[i] === true ? '✓' : '✗ FAILED', formatEquality(f), f.why])),
  ];
  if (c.mode === 'LSTM') lines.push('', 'c_n has the same rows as h_n (size H) and appears nowhere in output.');
  return `${lines.join('\n')}\n`;
}
