/**
 * `rnnport explain`: what output and h_n (c_n) contain for a configuration given by flags or
 * read from a weights file; text (or --json) on stdout, the picture with --svg. Exit 1 if the
 * run on random weights contradicts a fact (a bug in rnnport, reported rather than hidden).
 */
import { fail } from '../../errors.js';
import { explain } from '../../explain/explain.js';
import { formatEquality, type ExplainConfig, type ExplainModuleConfig } from '../../explain/facts.js';
import { explainSvg } from '../../explain/svg.js';
import { explainText } from '../../explain/text.js';
import { writeOutputFile, type ExitCode, type Io } from '../io.js';
import type { ExplainCommand } from '../parse.js';
import { jsonDocument } from '../render/json.js';
import { readLengths } from '../forward.js';
import { findModule } from '../weights.js';

function configOf(cmd: ExplainCommand, io: Io): ExplainModuleConfig {
  const source = cmd.source;
  if (source.kind === 'config') return source.config;
  const { info } = findModule(io, source.weights, source.key, source.prefix);
  if (info.kind !== 'RNN' && info.kind !== 'GRU' && info.kind !== 'LSTM') {
    throw fail('E_BAD_OPTION', { what: 'explain', expected: 'an nn.RNN / nn.GRU / nn.LSTM (a cell returns h′ only)', got: `nn.${info.kind}`, at: info.prefix });
  }
  const { inputSize, hiddenSize, numLayers, bidirectional, projSize } = info.config;
  return { mode: info.kind, inputSize, hiddenSize, numLayers, bidirectional, projSize };
}

export async function explainCommand(cmd: ExplainCommand, io: Io): Promise<ExitCode> {
  const config: ExplainConfig = {
    ...configOf(cmd, io),
    ...(cmd.seqLen !== undefined && { seqLen: cmd.seqLen }),
    ...(cmd.batch !== undefined && { batch: cmd.batch }),
    ...(cmd.lengths !== undefined && { lengths: Array.from(readLengths(io, cmd.lengths).toFloat64(), Number) }),
    batchFirst: cmd.batchFirst,
  };
  const e = explain(config);
  if (cmd.json) {
    const { check, ...facts } = e;
    io.stdout.write(jsonDocument({ ...facts, equalities: facts.equalities.map((f, i) => ({ text: formatEquality(f), ...f, holds: check.holds[i] })), check: { engine: check.engine, seed: check.seed } }));
  } else {
    io.stdout.write(explainText(e));
  }
  if (cmd.svg !== undefined) {
    writeOutputFile(io, cmd.svg, explainSvg(e));
    io.stderr.write(`rnnport: wrote ${cmd.svg}\n`);
  }
  const failed = e.check.holds.filter((ok) => !ok).length;
  if (failed > 0) {
    io.stderr.write(`rnnport: explain: ${failed} fact(s) did not hold on the run (a bug in rnnport: please report it with this command line)\n`);
    return 1;
  }
  return 0;
}
