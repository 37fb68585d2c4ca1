export { annotate, currentContext, dbSpan, queryText, tracingOn, withSpan, type SpanOptions } from './span.js';
export { startTracing, type Tracing, type TracingOwner } from './start-tracing.js';
