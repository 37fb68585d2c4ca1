import { projectTestConfig } from '../../vitest.shared.mjs';

export default projectTestConfig({ dir: import.meta.dirname, name: 'lens-graph', database: true });
