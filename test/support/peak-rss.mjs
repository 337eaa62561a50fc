// Preloaded into a child process (node --import): on exit, writes the process's peak resident
// set size in bytes to $RNNPORT_PEAK_RSS_FILE. On Linux it is VmHWM of /proc/self/status: the
// high-water mark of this process's own memory. (getrusage's ru_maxrss, behind
// process.resourceUsage().maxRSS, also counts the parent's memory at fork time, so a test runner
// holding 150 MB would make every child look that big; it is the fallback elsewhere.)
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.RNNPORT_PEAK_RSS_FILE;

function peakBytes() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb !== null) return Number(kb[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

if (file !== undefined && file !== '') process.on('exit', () => writeFileSync(file, String(peakBytes())));
