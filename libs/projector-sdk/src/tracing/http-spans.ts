import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { openSpan } from './span.js';

/** Probes and scrapes come every few seconds and would bury the traces worth reading. */
const UNTRACED = ['/health', '/metrics', '/docs', '/openapi.json'];

interface RequestSpan {
  readonly span: Span;
  readonly context: Context;
}

/**
 * A SERVER span per request (but probes, scrapes and the API docs), continuing the W3C `traceparent`
 * of the request when it has one; the route's work runs in its context, so the apply's spans are
 * its children. Registered only with tracing on.
 */
export function registerHttpSpans(app: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, RequestSpan>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || UNTRACED.some((prefix) => route.startsWith(prefix))) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = openSpan(
      `${request.method} ${route}`,
      { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0], 'projector.request_id': request.id },
      { kind: SpanKind.SERVER, parent },
    );
    if (span) spans.set(request, { span, context: trace.setSpan(parent, span) });
    done();
  });
  // Callback style: the handler runs inside done(), so inside this context (the body was read
  // from the socket's own async context, which knows nothing of the span).
  app.addHook('preHandler', (request, _reply, done) => {
    const traced = spans.get(request);
    if (traced) context.with(traced.context, done);
    else done();
  });
  app.addHook('onResponse', async (request, reply) => {
    const traced = spans.get(request);
    if (!traced) return;
    traced.span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    traced.span.end();
  });
  app.addHook('onRequestAbort', async (request) => {
    const traced = spans.get(request);
    if (!traced) return;
    traced.span.setAttribute('error.type', 'aborted');
    traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
    traced.span.end();
  });
}
