/**
 * This process's peak resident set size in bytes: VmHWM of /proc/self/status on Linux (its own
 * memory's high-water mark), else process.resourceUsage().maxRSS, which on Linux also counts the
 * parent's memory at fork time (see peak-rss.mjs, which child processes preload).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';

export function peakRssBytes(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb !== null) return Number(kb[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Fails the test file when this process's peak memory grows by `maxGrowth` bytes or more over the
 * whole file; `growth()` is the growth so far, for a test that checks it sooner.
 */
export function guardPeakGrowth(maxGrowth: number): { growth(): number } {
  let startPeak = 0;
  beforeAll(() => {
    startPeak = peakRssBytes();
  });
  afterAll(() => {
    expect(peakRssBytes() - startPeak).toBeLessThan(maxGrowth);
  });
  return { growth: () => peakRssBytes() - startPeak };
}
