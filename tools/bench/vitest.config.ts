import { defineConfig } from 'vitest/config';

// The e2e spec runs the built bench against TEST_DATABASE_URL itself (skipped without it): no global setup.
export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/bench',
  resolve: { conditions: ['development'] },
  test: {
    name: 'bench',
    watch: false,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
