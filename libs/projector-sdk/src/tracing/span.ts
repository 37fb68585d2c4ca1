import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ProjectorError } from '../errors/projector-error.js';

/**
 * The SDK's one way to make spans. Tracing off (no `OTEL_*` exporter configured), `tracer` stays
 * undefined and every helper here is one comparison and a call of the work itself: no span object,
 * no context switch, no OTel SDK loaded (start-tracing.ts imports it only when on).
 */
let tracer: Tracer | undefined;

/** Set by startTracing (otel-sdk.ts) and cleared at its shutdown. */
export function useTracer(next: Tracer | undefined): void {
  tracer = next;
}

export const tracingOn = (): boolean => tracer !== undefined;

export interface SpanOptions {
  readonly kind?: SpanKind;
  /** The parent, when not the active context (a group commit's first member). */
  readonly parent?: Context;
  /** Contexts whose spans this one serves too (the other members of a group commit). */
  readonly links?: readonly (Context | undefined)[];
  /** Epoch milliseconds, when the work began before it was worth a span (a catch-up pass). */
  readonly startTime?: number;
}

/**
 * Runs `fn` inside a span named `name`: its child spans, and any the lens makes through the OTel API,
 * nest under it; a throw marks it failed. `fn` gets the span (undefined when tracing is off) to add
 * what is known only at the end: `span?.setAttributes({ ... })`. One line at any call site:
 * `withSpan('projector.rebuild', { 'projector.partition.world_id': id }, async (span) => ...)`.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => Promise<T>, options?: SpanOptions): Promise<T> {
  const active = tracer;
  if (active === undefined) return fn(undefined);
  const links = options?.links?.flatMap((ctx) => {
    const linked = ctx && trace.getSpanContext(ctx);
    return linked ? [{ context: linked }] : [];
  });
  const spanOptions = { attributes, kind: options?.kind ?? SpanKind.INTERNAL, links, startTime: options?.startTime };
  return active.startActiveSpan(name, spanOptions, options?.parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * A span the caller ends itself (a request's, ended when the answer is sent); not made active.
 * Undefined when tracing is off.
 */
export function openSpan(name: string, attributes: Attributes, options: SpanOptions): Span | undefined {
  return tracer?.startSpan(name, { attributes, kind: options.kind, startTime: options.startTime }, options.parent ?? context.active());
}

/** Marks a span failed by `err`: `error.type` is the catalogue code for our errors, else the class. */
export function failSpan(span: Span, err: unknown): void {
  const type = err instanceof ProjectorError ? err.code : err instanceof Error ? err.name : 'unknown';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

const QUERY_TEXT_MAX = 2_048;

/** What a database span may tell beyond its operation, worked out only with tracing on. */
export interface DbDetail {
  /** The statement's parameterised text (see `queryText`). */
  readonly text?: string | undefined;
  /** The event kind whose handler sent it. */
  readonly kind?: string;
  /** Events the statement applies (a set-based statement applies many). */
  readonly events?: number;
}

/**
 * A span of database statements the SDK sends (postgres.js has no OTel instrumentation of its own):
 * `operation` names what they do (`lock_partitions`, `apply`). `detail` is called only with tracing
 * on, so that no text is built otherwise.
 */
export function dbSpan<T>(operation: string, fn: () => Promise<T>, detail?: () => DbDetail): Promise<T> {
  if (tracer === undefined) return fn();
  const { text, kind, events } = detail?.() ?? {};
  const attributes: Attributes = { 'db.system.name': 'postgresql', 'db.operation.name': operation };
  if (kind) attributes['projector.kind'] = kind;
  if (events) attributes['projector.events'] = events;
  if (text) attributes['db.query.text'] = text.length > QUERY_TEXT_MAX ? `${text.slice(0, QUERY_TEXT_MAX)}…` : text;
  return withSpan(kind ? `pg ${operation} ${kind}` : `pg ${operation}`, attributes, fn, { kind: SpanKind.CLIENT });
}

/** The parameterised text of a postgres.js query (its template's fixed parts; never the values). */
export function queryText(query: unknown): string | undefined {
  const strings = (query as { strings?: unknown } | null)?.strings;
  return Array.isArray(strings) ? strings.join('$?') : undefined;
}

/** The active context, to hand work over to another place (a group commit); undefined when off. */
export function currentContext(): Context | undefined {
  return tracer === undefined ? undefined : context.active();
}

/** Adds attributes to the span of a context handed over with `currentContext`. */
export function annotate(ctx: Context | undefined, attributes: Attributes): void {
  if (ctx) trace.getSpan(ctx)?.setAttributes(attributes);
}
