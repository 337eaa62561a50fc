import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One ONNX Runtime or Chromium at a time: the machines these run on have two cores.
    fileParallelism: false,
  },
});
