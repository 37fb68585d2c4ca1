import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { toProjectorError } from '../apply/classify-error.js';
import { errorCatalogue } from '../errors/catalogue.js';
import { ProjectorError } from '../errors/projector-error.js';
import type { ProjectorMetrics } from '../metrics/projector-metrics.js';

/** The contract's `issues`: zod's issues, rebuilt from what Fastify's validation error carries. */
function issuesOf(validation: { keyword: string; instancePath: string; message?: string; params: object }[]) {
  return validation.map((v) => ({
    code: v.keyword,
    path: v.instancePath.split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    message: v.message,
    ...v.params,
  }));
}

/** In a batch, the first event the issues are about: the `index` a publisher parks or splits at. */
function batchIndexOf(issues: { path: (string | number)[] }[]): { index?: number } {
  const indexes = issues.flatMap(({ path: [top, index] }) => (top === 'events' && typeof index === 'number' ? [index] : []));
  return indexes.length > 0 ? { index: Math.min(...indexes) } : {};
}

/** Maps Fastify's own failures (parsing, limits, media type) onto the contract's errors. */
function fromFastifyError(err: FastifyError): ProjectorError | undefined {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const what = err.validationContext === 'querystring' ? 'query string' : 'body';
    const issues = issuesOf(err.validation);
    return new ProjectorError('invalid_event', `${what} does not match the schema: ${err.message}`, {
      details: { issues, ...batchIndexOf(issues) },
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProjectorError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new ProjectorError('invalid_event', `${err.message}: send Content-Type: application/json`, { details: { issues: [] } });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProjectorError('invalid_event', err.message, { details: { issues: [] } });
    default:
      if (err.statusCode === 503) return new ProjectorError('unavailable', err.message, { retryAfterSeconds: 5 });
      return undefined;
  }
}

/**
 * The answer's body. An unexpected 5xx says only its code and the request id: its message (an index
 * name, a TypeError's text) is for the log line with that id, not for the client.
 */
function answerBody(error: ProjectorError, requestId: string): Record<string, unknown> {
  const body = error.toBody();
  if (error.status < 500 || error.code === 'unavailable') return body;
  return { ...body, message: errorCatalogue[error.code].message, request_id: requestId };
}

/**
 * The one error handler: every failure leaves as the contract's JSON. 5xx are logged with their
 * cause; 4xx at warn with the event's position when known, so an operator can find the event.
 */
export function registerErrorHandler(app: FastifyInstance, metrics: ProjectorMetrics, projector: string): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // A lost database on a read route is a 503 like on the write routes, not a 500.
    const error = err instanceof ProjectorError ? err : (fromFastifyError(err) ?? toProjectorError(err, 5));
    if (request.method === 'POST') metrics.eventsFailed.inc({ projector, reason: error.code });
    const body = request.body as { global_seq?: unknown; envelope?: { world_id?: unknown; branch?: unknown } } | undefined;
    const context = {
      code: error.code,
      global_seq: error.details.global_seq ?? body?.global_seq,
      world_id: body?.envelope?.world_id,
      branch: body?.envelope?.branch,
    };
    // A 503 is expected under load or during a database restart: a warning, without a stack.
    if (error.status >= 500 && error.code !== 'unavailable') request.log.error({ ...context, request_id: request.id, err: error.cause ?? error }, error.message);
    else request.log.warn(context, error.message);
    if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
    // Answered before its body was read (401, 413, 503 from a hook): the rest of the body would only
    // hold the connection and its memory, so the socket is closed after the answer.
    if (!request.raw.complete) reply.header('connection', 'close');
    reply.header('x-request-id', request.id);
    return reply.code(error.status).type('application/json').send(answerBody(error, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
  });
}
