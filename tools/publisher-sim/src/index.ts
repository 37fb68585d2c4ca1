/** @projectors/publisher-sim: push a relational stream to projectors as the CDC publisher does. The CLI is `main.ts`. */
export { pushEvents, partitionRequests, type DeliveryCounts, type ParkedEvent, type PushOptions, type PushSummary, type SimEvent, type UrlSummary } from './push-events.js';
export { runPartitioned, type PartitionWork } from './scheduler.js';
export { decide, defaultRetryPolicy, isRetryable, retryAfterMs, type Answer, type Decision, type RetryPolicy } from './retry-policy.js';
export { createHttpTransport, type HttpAnswer, type Transport } from './http-transport.js';
export { waitForEventLog, writeEventLog, type LogWrite } from './event-log.js';
export { parseSimArgs, USAGE, type ParsedArgs, type SimOptions } from './sim-args.js';
export { summariseLatency, type LatencySummary } from './latency.js';
export { summaryText } from './summary-text.js';
