import { projectTestConfig } from '../../vitest.shared.mjs';

// The e2e spec runs the built bench against TEST_DATABASE_URL itself (skipped without it): no global setup.
export default projectTestConfig({ dir: import.meta.dirname, name: 'bench' });
