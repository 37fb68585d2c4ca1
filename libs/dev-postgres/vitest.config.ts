import { projectTestConfig } from '../../vitest.shared.mjs';

// Starts its own clusters: no global setup.
export default projectTestConfig({ dir: import.meta.dirname, name: 'dev-postgres' });
