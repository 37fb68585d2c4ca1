import { projectTestConfig } from '../../vitest.shared.mjs';

// Unit tests only (no database): no global setup.
export default projectTestConfig({ dir: import.meta.dirname, name: 'publisher-sim' });
