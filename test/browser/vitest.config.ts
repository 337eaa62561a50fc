// `npm run test:browser`: the tests under test/browser/ in headless Chromium (Debian's
// /usr/bin/chromium, or CHROMIUM_PATH), against the built package: run `npm run build` first.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.test.ts'],
    // Generous: the conformance pages fail on a 60 s stall of progress (helpers.ts
    // waitForConformance), not on their total time, which grows on a loaded machine.
    testTimeout: 900_000,
    hookTimeout: 120_000,
    // One Chromium at a time: the machines these run on have two cores.
    fileParallelism: false,
  },
});
