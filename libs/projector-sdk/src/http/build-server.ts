import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { ProjectorError } from '../errors/projector-error.js';
import { registerBackPressure } from './back-pressure.js';
import { connectionLimit, limitConnections, timeoutOptions } from './connections.js';
import { registerErrorHandler } from './error-handler.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerOpenApi } from './openapi.js';
import { eventRoutes } from './routes/events.js';
import { healthRoute } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { partitionRoutes } from './routes/partitions.js';
import { rebuildRoutes } from './routes/rebuild.js';
import { readyRoute } from './routes/ready.js';
import { stateHashRoute } from './routes/state-hash.js';
import type { ServerDeps } from './server-deps.js';
import { registerHttpSpans } from '../tracing/http-spans.js';
import { tracingOn } from '../tracing/span.js';

/** Liveness and readiness: answered while closing too. */
const PROBES = new Set(['/health', '/ready']);

/**
 * Composes the projector's HTTP app. It never listens: `start()` does, and tests call `inject`.
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own onResponse hook logs one line per request, at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.batchBodyLimitBytes,
    // Requests that arrive while closing get the contract's 503 from the hook below instead.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ...timeoutOptions(deps.config),
    // Request ids are ours, never a client's header: they appear in 500 answers and the logs.
    genReqId: () => randomUUID(),
  });
  // First of the hooks: a request refused by any later one still has its span.
  if (tracingOn()) registerHttpSpans(app);
  limitConnections(app, connectionLimit(deps.config), () => deps.metrics.connectionsDropped.inc({ projector: deps.lens.projectorName }));
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers (OpenAPI); the answers are built by the code from typed
  // values, so checking each one again with zod on the hot path would only cost time.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerJsonBodyParser(app);
  registerErrorHandler(app, deps.metrics, deps.lens.projectorName);
  registerBackPressure(app, deps);
  await registerOpenApi(app, deps.lens);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // The probes answer for themselves while closing: the process is alive (/health 200) and not
  // ready (/ready 503 shutting_down), so an orchestrator stops routing to it without killing it.
  app.addHook('onRequest', async (request) => {
    if (closing && !PROBES.has(request.routeOptions.url ?? '')) throw new ProjectorError('unavailable', 'shutting down', { retryAfterSeconds: 5 });
  });
  // A keep-alive connection busy when close began is not idle, so close() would wait for the
  // client to drop it: answer it with `Connection: close` instead.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    // Route templates and the status codes this app sends: a bounded set of label values.
    const route = request.routeOptions.url === undefined ? 'unmatched' : `${request.method} ${request.routeOptions.url}`;
    deps.metrics.httpRequests.inc({ projector: deps.lens.projectorName, route, status: String(reply.statusCode) });
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  });

  eventRoutes(app, deps);
  healthRoute(app, deps, () => closing);
  readyRoute(app, deps, () => closing);
  metricsRoute(app, deps);
  stateHashRoute(app, deps);
  partitionRoutes(app, deps);
  if (deps.rebuilds) rebuildRoutes(app, { ...deps, rebuilds: deps.rebuilds });
  await app.ready();
  return app;
}
