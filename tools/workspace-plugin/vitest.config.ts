import { projectTestConfig } from '../../vitest.shared.mjs';

// A copy of the workspace, a generator run and four targets: minutes, so its own target (`e2e`).
export default projectTestConfig({ dir: import.meta.dirname, name: 'workspace-plugin', exclude: ['src/**/*.e2e.spec.ts'] });
