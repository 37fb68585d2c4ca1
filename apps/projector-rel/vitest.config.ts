import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/projector-rel',
  resolve: { conditions: ['development'] },
  test: {
    name: 'projector-rel',
    watch: false,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    globalSetup: ['../../libs/projector-sdk/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
