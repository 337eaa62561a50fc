/**
 * This process's peak resident set size in bytes: VmHWM of /proc/self/status on Linux (its own
 * memory's high-water mark), else process.resourceUsage().maxRSS, which on Linux also counts the
 * parent's memory at fork time (see peak-rss.mjs, which child processes preload).
 */
import { readFileSync } from 'node:fs';

export function peakRssBytes(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb !== null) return Number(kb[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
