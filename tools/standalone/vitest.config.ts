import { projectTestConfig } from '../../vitest.shared.mjs';

// A build, then a production `npm ci` from the registry (or its cache): long hooks.
export default projectTestConfig({ dir: import.meta.dirname, name: 'standalone-check', database: true, include: ['*.spec.ts', 'src/**/*.spec.ts'], testTimeout: 60_000, hookTimeout: 600_000 });
