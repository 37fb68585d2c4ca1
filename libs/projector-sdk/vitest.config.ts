import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/libs/projector-sdk',
  resolve: { conditions: ['development'] },
  test: {
    name: 'projector-sdk',
    watch: false,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    globalSetup: ['./src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
