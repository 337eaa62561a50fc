import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { memoryIo } from './memory-io.js';
import { startProgress } from '../../../src/cli/render/progress.js';

describe('progress', () => {
  it('without a terminal: one line per item', () => {
    const io = memoryIo('/');
    const p = startProgress(io, 2, 'conformance');
    p.tick('a safetensors', true, 'max abs err 1e-7');
    p.tick('b npz', false, 'E_CRC: …');
    p.stop();
    expect(io.err).toEqual(['[1/2] pass  a safetensors  max abs err 1e-7\n', '[2/2] FAIL  b npz  E_CRC: …\n']);
  });

  it('on a terminal: a bar, with failures kept on screen above it', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let drawn = '';
    tty.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const io = { ...memoryIo('/'), progressStream: tty };
    const p = startProgress(io, 3, 'conformance');
    p.tick('a', true, '');
    p.tick('b', false, 'E_CRC: bad');
    p.tick('c', true, '');
    p.stop();
    expect(io.err).toEqual(['FAIL  b  E_CRC: bad\n']);
    expect(drawn).toContain('conformance [');
    expect(drawn).toContain('3/3');
  });
});
