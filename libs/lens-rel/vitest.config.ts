import { projectTestConfig } from '../../vitest.shared.mjs';

export default projectTestConfig({ dir: import.meta.dirname, name: 'lens-rel', database: true });
