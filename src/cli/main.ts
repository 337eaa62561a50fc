/**
 * The only CLI file that touches `process`: argv in, exit code out, and the one-line error
 * contract:
 *   usage error        → usage line, then `rnnport: E_USAGE: message`, exit 2
 *   rejected input     → `rnnport: E_CODE: message`, exit 1
 *   anything else (bug) → `rnnport: E_INTERNAL: message (rerun with --debug for the stack)`, exit 1
 * `--debug` adds the stack after the line. Every error line is escaped (`escapeControl`): a
 * message quoting a file's names stays one printable line.
 */
import { readFileSync } from 'node:fs';
import { escapeControl, isRnnportError } from '../errors.js';
import { bench } from './commands/bench.js';
import { conformance } from './commands/conformance.js';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { inspect } from './commands/inspect.js';
import { run } from './commands/run.js';
import { verify } from './commands/verify.js';
import type { ExitCode, Io } from './io.js';
import { parseCommand, type Command } from './parse.js';

/** The package version, read from package.json next to dist/ (or src/ under vitest). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function dispatch(command: Command, io: Io): Promise<ExitCode> {
  switch (command.name) {
    case 'conformance':
      return conformance(command, io);
    case 'inspect':
      return inspect(command, io);
    case 'run':
      return run(command, io);
    case 'verify':
      return verify(command, io);
    case 'bench':
      return bench(command, io);
    case 'explain':
      return explainCommand(command, io);
    case 'export':
      return exportCommand(command, io);
  }
}

/** Runs one command line; never throws. */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  const parsed = parseCommand(argv);
  switch (parsed.kind) {
    case 'version':
      io.stdout.write(`rnnport ${io.versions.rnnport}\n`);
      return 0;
    case 'help':
      io.stdout.write(parsed.text);
      return 0;
    case 'usage-error':
      io.stderr.write(`${parsed.usage}\nrnnport: E_USAGE: ${escapeControl(parsed.error.message)}\n`);
      return 2;
    case 'command':
      try {
        const limits = parsed.maxBytes === undefined ? undefined : { maxTotalBytes: parsed.maxBytes, maxInflatedBytes: parsed.maxBytes };
        return await dispatch(parsed.command, limits === undefined ? io : { ...io, limits });
      } catch (error) {
        reportError(error, parsed.debug, io);
        return 1;
      }
  }
}

function reportError(error: unknown, debug: boolean, io: Io): void {
  const stack = debug && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : '';
  if (isRnnportError(error)) {
    io.stderr.write(`rnnport: ${error.code}: ${escapeControl(error.message)}\n${stack}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint = debug ? '' : ' (rerun with --debug for the stack)';
  io.stderr.write(`rnnport: E_INTERNAL: ${escapeControl(message)}${hint}\n${stack}`);
}

/** Entry point of bin.ts: the real process, with the V8 flags bin.ts set for it. */
export function runMain(v8Flags: readonly string[] = []): void {
  const io: Io = {
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    progressStream: process.stderr.isTTY ? process.stderr : null,
    cwd: process.cwd(),
    versions: { rnnport: packageVersion(), node: process.version, v8Flags },
  };
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
