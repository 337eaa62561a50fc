/**
 * Every TypeScript / JavaScript block of README.md and docs/*.md is code a user will paste: each is
 * type-checked against the BUILT declarations (dist/, what `npm pack` ships), resolved as a user's
 * project resolves `rnnport` — once with `moduleResolution: nodenext`, once with `bundler` — and
 * the blocks marked runnable are run with Node.
 *
 * A block may be preceded by a hidden directive, `<!-- snippet: … -->`, on the line before it:
 *   <!-- snippet: skip (why) -->                 not checked (say why)
 *   <!-- snippet: prelude declare const x: Tensor; -->  code prepended for the check only (the
 *                                                  names a fragment takes from the text around it)
 *   <!-- snippet: run -->                        also run (a .js block: with Node, in a folder
 *                                                  holding the files named in test/docs/fixtures.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareSnippetFixtures } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly lang: 'ts' | 'js';
  readonly code: string;
  readonly prelude: string;
  readonly run: boolean;
  readonly skip: string | null;
}

/** The code blocks of one markdown file, with their directives. */
function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript|js|javascript|mjs)\s*$/.exec(lines[i] as string);
    if (open === null) continue;
    const indent = (open[1] as string).length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] as string); i++) body.push((lines[i] as string).slice(indent));
    const directive = /^\s*<!-- snippet: (.*) -->\s*$/.exec(lines[start - 1] ?? '')?.[1] ?? '';
    out.push({
      file,
      line: start + 1,
      lang: open[2] === 'ts' || open[2] === 'typescript' ? 'ts' : 'js',
      code: body.join('\n'),
      prelude: directive.startsWith('prelude ') ? directive.slice('prelude '.length) : '',
      run: directive === 'run',
      skip: directive.startsWith('skip') ? directive : null,
    });
  }
  return out;
}

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const snippets = DOCS.flatMap(snippetsOf);
const name = (s: Snippet): string => `${s.file.replace(/[/.]/g, '_')}_L${s.line}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnnport-snippets-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  // the package as a dependency resolves it: through package.json "exports" to dist/
  symlinkSync(ROOT, join(dir, 'node_modules', 'rnnport'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module' }));
  for (const s of snippets) {
    if (s.skip !== null) continue;
    const moduleMarker = /^\s*(import|export)\s/m.test(s.code) ? '' : '\nexport {};';
    writeFileSync(join(dir, `${name(s)}.${s.lang}`), `${s.prelude}\n${s.code}${moduleMarker}\n`);
  }
  const common = { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom', 'esnext.disposable'], types: ['node'], allowJs: true, checkJs: true, skipLibCheck: true };
  writeFileSync(join(dir, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...common, module: 'nodenext', moduleResolution: 'nodenext' }, include: ['*.ts', '*.js'] }));
  writeFileSync(join(dir, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler' }, include: ['*.ts', '*.js'] }));
});

/** tsc's errors, each with the README / docs line it comes from. */
function typeErrors(project: string): string[] {
  const r = spawnSync(TSC, ['-p', project, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^(\w+?)_md_L(\d+)\.(?:ts|js)\((\d+),/.exec(l);
      if (m === null) return l;
      const s = snippets.find((x) => name(x) === `${m[1]}_md_L${m[2]}`);
      const preludeLines = s === undefined ? 0 : s.prelude.split('\n').length;
      return `${s?.file ?? m[1]} line ${Number(m[2]) + Number(m[3]) - preludeLines}: ${l}`;
    });
}

describe('code in README.md and docs/', () => {
  it('has TypeScript and JavaScript blocks to check', () => {
    expect(snippets.filter((s) => s.skip === null).length).toBeGreaterThan(3);
    for (const s of snippets) if (s.skip !== null) expect(s.skip, `${s.file}:${s.line}`).toMatch(/^skip \(.+\)$/);
  });

  it.each(['nodenext', 'bundler'])('type-checks against the built declarations (moduleResolution %s)', (resolution) => {
    expect(typeErrors(`tsconfig.${resolution}.json`)).toEqual([]);
  });

  it('runs the blocks marked runnable', () => {
    const runnable = snippets.filter((s) => s.run);
    expect(runnable.length).toBeGreaterThan(0);
    prepareSnippetFixtures(dir);
    for (const s of runnable) {
      expect(s.lang, `${s.file}:${s.line}: runnable blocks are JavaScript`).toBe('js');
      const file = `${name(s)}.mjs`;
      writeFileSync(join(dir, file), s.code);
      try {
        execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
      } catch (e) {
        const err = e as { stderr?: string; stdout?: string };
        throw new Error(`${s.file}:${s.line} failed:\n${err.stdout ?? ''}${err.stderr ?? String(e)}`);
      }
    }
  });
});
