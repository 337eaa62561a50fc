import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { itemSize } from '../../../src/dtype.js';
import { littleEndianBytes } from '../../../src/io/bytes.js';
import { openWeights } from '../../../src/io/load.js';
import { bytesSource } from '../../../src/io/source.js';
import type { Tensor } from '../../../src/tensor.js';

/** Every golden case's weights.pt holds the same tensors, byte for byte, as its weights.safetensors. */
const GOLDEN = new URL('../../../golden/', import.meta.url);

const cases = existsSync(GOLDEN)
  ? readdirSync(GOLDEN, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/weights.pt`, GOLDEN)))
      .map((d) => d.name)
      .sort()
  : [];

function open(name: string, file: string, key?: string): Map<string, Tensor> {
  const bytes = readFileSync(new URL(`${name}/${file}`, GOLDEN));
  return openWeights(bytesSource(bytes, `${name}/${file}`), key === undefined ? {} : { key }).load();
}

function bytesOf(t: Tensor): Buffer {
  const b = littleEndianBytes(t.data, itemSize(t.dtype));
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

describe.skipIf(cases.length === 0)('golden weights.pt', () => {
  it.each(cases)('%s: weights.pt equals weights.safetensors', (name) => {
    const meta = JSON.parse(readFileSync(new URL(`${name}/case.json`, GOLDEN), 'utf8')) as { pt_key?: string | null };
    const pt = open(name, 'weights.pt', meta.pt_key ?? undefined);
    const st = open(name, 'weights.safetensors');
    expect([...pt.keys()].sort()).toEqual([...st.keys()].sort());
    for (const [k, t] of st) {
      const p = pt.get(k) as Tensor;
      expect({ k, dtype: p.dtype, shape: p.shape }).toEqual({ k, dtype: t.dtype, shape: t.shape });
      expect(bytesOf(p).equals(bytesOf(t)), k).toBe(true);
    }
  });
});
