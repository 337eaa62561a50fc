import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The relaxed-SIMD kernel build: Node 20 validates it only behind this flag (docs/performance.md).
        test: {
          name: 'relaxed-simd',
          include: ['test/property/fast-*.test.ts', 'test/unit/fast/**/*.test.ts', 'test/conformance/golden.test.ts'],
          execArgv: ['--experimental-wasm-relaxed-simd'],
          env: { RNNPORT_TEST_SIMD: 'relaxed' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
