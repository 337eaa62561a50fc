// A static file server for the browser demo and the browser tests, on 127.0.0.1 only. It serves
// the built package (dist/), the demo (examples/browser/), the golden cases (golden/) and fflate's
// ESM build, which the demo's import map points at; any other path is 404.
// Usage: node scripts/serve.mjs [--port N]   (npm run demo; default port 8080, 0 = any free port)
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** URL path prefixes served, relative to the repository root. */
export const SERVED = ['/dist/', '/examples/browser/', '/golden/', '/node_modules/fflate/'];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/**
 * Starts the server. `port: 0` picks a free port. Resolves to the base URL (no trailing slash)
 * and a `close()` that stops it.
 * @param {{ port?: number, root?: string }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function serve({ port = 8080, root = ROOT } = {}) {
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('400: malformed URL\n');
      return;
    }
    if (path === '/') {
      res.writeHead(302, { location: '/examples/browser/' });
      res.end();
      return;
    }
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const allowed = SERVED.some((prefix) => (file + sep).startsWith(join(root, prefix)));
    const info = allowed && (req.method === 'GET' || req.method === 'HEAD') ? await stat(file).catch(() => null) : null;
    if (info === null || !info.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`404: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`;
  return {
    url,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: --port: expected an integer in 0..65535, got ${values.port}`);
    process.exit(2);
  }
  try {
    const { url } = await serve({ port });
    console.log(`rnnport demo: ${url}/examples/browser/   (Ctrl+C to stop)`);
  } catch (e) {
    console.error(`serve: ${e instanceof Error ? e.message : String(e)}${port !== 0 ? ' (try --port 0 for any free port)' : ''}`);
    process.exit(1);
  }
}
