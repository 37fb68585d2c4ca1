import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/standalone',
  resolve: { conditions: ['development'] },
  test: {
    name: 'standalone-check',
    watch: false,
    environment: 'node',
    include: ['*.spec.ts', 'src/**/*.spec.ts'],
    globalSetup: ['../../libs/projector-sdk/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    // A build, then a production `npm ci` from the registry (or its cache).
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
