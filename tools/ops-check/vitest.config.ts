import { projectTestConfig } from '../../vitest.shared.mjs';

// The series check builds projector-rel and runs it against the run's PostgreSQL: long hooks.
export default projectTestConfig({ dir: import.meta.dirname, name: 'ops-check', database: true, testTimeout: 60_000, hookTimeout: 300_000 });
