import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/workspace-plugin',
  resolve: { conditions: ['development'] },
  test: {
    name: 'workspace-plugin',
    watch: false,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    // A copy of the workspace, a generator run and four targets: minutes, so its own target (`e2e`).
    exclude: ['src/**/*.e2e.spec.ts'],
    reporters: ['default'],
  },
});
