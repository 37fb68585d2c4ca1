import { projectTestConfig } from '../../vitest.shared.mjs';

export default projectTestConfig({ dir: import.meta.dirname, name: 'lens-sem', database: true });
