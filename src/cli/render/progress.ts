/**
 * Progress of a long command (conformance): a cli-progress bar when stderr is a terminal, else
 * one line per finished item, so CI logs stay readable.
 */
import cliProgress from 'cli-progress';
import { escapeControl } from '../../errors.js';
import type { Io } from '../io.js';

export interface Progress {
  /** One item finished: `label` names it, `ok` says whether it passed, `detail` is a short note. */
  tick(label: string, ok: boolean, detail: string): void;
  stop(): void;
}

/** A progress reporter for `total` items on the Io's stderr. */
export function startProgress(io: Io, total: number, title: string): Progress {
  const stream = io.progressStream;
  if (stream === null) {
    let done = 0;
    return {
      tick(label, ok, detail) {
        done++;
        io.stderr.write(`[${String(done).padStart(String(total).length)}/${total}] ${ok ? 'pass' : 'FAIL'}  ${escapeControl(label)}  ${escapeControl(detail)}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: `${title} [{bar}] {value}/{total} {label}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  bar.start(total, done, { label: '' });
  return {
    tick(label, ok, detail) {
      done++;
      if (ok) {
        bar.update(done, { label: escapeControl(label) });
        return;
      }
      // keep failures on screen above the bar
      bar.stop();
      io.stderr.write(`FAIL  ${escapeControl(label)}  ${escapeControl(detail)}\n`);
      bar.start(total, done, { label: escapeControl(label) });
    },
    stop() {
      bar.stop();
    },
  };
}
