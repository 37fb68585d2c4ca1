/**
 * `@projectors/projector-sdk/testing`: the helper every database integration test uses.
 *
 * The vitest config must reference the global setup by path (it is not exported here):
 *   globalSetup: ['../../libs/projector-sdk/src/testing/global-setup.ts']
 * Importing this module also brings the `ProvidedContext` augmentation (`inject('adminDatabaseUrl')`).
 */
export { ADMIN_DATABASE_URL_KEY } from './provided-context.js';
export { createTestDatabase, useTestDatabase } from './test-database.js';
export type { CreateTestDatabaseOptions, TestDatabase, TestDatabaseRef } from './test-database.js';
export { describeProjectorContract } from './contract-suite.js';
export { describeProjectorProcess, type ProcessSuiteOptions } from './process-suite.js';
export { nxBuild, startApp, type LogLine, type RunningApp, type StartAppOptions } from './app-process.js';
export { createTestProjector, partitionSender, useTestProjector, type TestProjectorRef } from './test-projector.js';
export { describeSetBasedEquivalence, type EquivalenceOptions } from './equivalence-suite.js';
export { logEvents, type StreamEvent } from './log-events.js';
export { familyOf, parsePrometheusText, type MetricFamily, type Sample } from './prometheus-text.js';
export { documentedExamples, postDocumentedExamples, type DocumentedExample } from './openapi-examples.js';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
// The workspace's one free-port and wait-for-/ready helpers (from the dev library, for apps' tests).
export { freePort, waitForReady } from '@projectors/dev-postgres';
