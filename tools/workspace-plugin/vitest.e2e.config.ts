import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/workspace-plugin-e2e',
  test: {
    name: 'workspace-plugin-e2e',
    watch: false,
    environment: 'node',
    include: ['src/**/*.e2e.spec.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
    reporters: ['default'],
  },
});
