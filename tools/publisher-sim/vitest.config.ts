import { defineConfig } from 'vitest/config';

// Unit tests only (no database): no global setup.
export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/publisher-sim',
  resolve: { conditions: ['development'] },
  test: {
    name: 'publisher-sim',
    watch: false,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    testTimeout: 30_000,
    reporters: ['default'],
  },
});
