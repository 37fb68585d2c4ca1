import { projectTestConfig } from '../../vitest.shared.mjs';

export default projectTestConfig({ dir: import.meta.dirname, name: 'workspace-plugin-e2e', include: ['src/**/*.e2e.spec.ts'], testTimeout: 15 * 60_000, hookTimeout: 5 * 60_000 });
