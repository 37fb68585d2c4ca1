/**
 * The one vitest configuration of the workspace; each project's `vitest.config.ts` names what differs.
 * `database: true` adds the global setup that finds one real PostgreSQL for the run
 * (libs/projector-sdk/src/testing/global-setup.ts). Types: vitest.shared.d.mts.
 */
import path from 'node:path';
import { defineConfig } from 'vitest/config';


const root = import.meta.dirname;

/** @param {import('./vitest.shared.d.mts').ProjectTestConfig} options */
export function projectTestConfig(options) {
  const relative = path.relative(root, options.dir);
  const test = {
    name: options.name,
    watch: false,
    environment: 'node',
    include: options.include ?? ['src/**/*.spec.ts'],
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.database ? { globalSetup: [path.join(root, 'libs/projector-sdk/src/testing/global-setup.ts')] } : {}),
    testTimeout: options.testTimeout ?? 30_000,
    hookTimeout: options.hookTimeout ?? 120_000,
    reporters: ['default'],
  };
  return defineConfig({
    root: options.dir,
    cacheDir: path.join(root, 'node_modules/.vite', relative),
    resolve: { conditions: ['development'] },
    test,
  });
}
