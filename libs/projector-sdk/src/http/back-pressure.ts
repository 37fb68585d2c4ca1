import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProjectorError } from '../errors/projector-error.js';
import type { ServerDeps } from './server-deps.js';

const RETRY_AFTER_SECONDS = 1;
const MAX_EVENT_LOOP_DELAY_MS = 1000;
const SAMPLE_INTERVAL_MS = 1000;

const overloaded = (why: string) =>
  new ProjectorError('unavailable', `overloaded: ${why}`, { retryAfterSeconds: RETRY_AFTER_SECONDS });

/**
 * The event loop's mean delay over the last second. Measured with perf_hooks alone: unlike
 * `@fastify/under-pressure`, nothing here reads /proc (process.memoryUsage throws EMFILE when the
 * descriptors run out, outside any request, and that killed the process).
 */
function eventLoopDelay(app: FastifyInstance): () => number {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let meanMs = 0;
  const timer = setInterval(() => {
    meanMs = Number.isNaN(histogram.mean) ? 0 : histogram.mean / 1e6;
    histogram.reset();
  }, SAMPLE_INTERVAL_MS).unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    histogram.disable();
  });
  return () => meanMs;
}

/**
 * Sheds load before it piles up: a 503 with `Retry-After` when the event loop lags, when more
 * events wait for the database than the pool can work off soon, or when the bodies being received
 * would hold more memory than their budget. The publisher retries 503s.
 * Reads (health, metrics) are still answered under pressure.
 */
export function registerBackPressure(app: FastifyInstance, { applier, config }: ServerDeps): void {
  const delay = eventLoopDelay(app);
  // Enough for a few full batches in flight besides many single events; beyond it, latency only grows.
  const maxQueued = Math.max(config.dbPoolMax * 200, config.maxBatch * 8);
  // Bodies being received are held in memory until they are whole: four full batches at once, however
  // many connections send (or stall), until the request timeout cuts them. A body counts its
  // Content-Length, or the batch limit if unknown.
  const bodyBudget = config.batchBodyLimitBytes * 4;
  let receiving = 0;
  const releases = new WeakMap<FastifyRequest, () => void>();
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return;
    const lagMs = delay();
    if (lagMs > MAX_EVENT_LOOP_DELAY_MS) throw overloaded(`event loop delay ${Math.round(lagMs)} ms`);
    if (applier.queueDepth >= maxQueued) {
      request.log.warn({ queued: applier.queueDepth, maxQueued }, 'shedding load');
      throw overloaded(`${applier.queueDepth} events waiting for the database`);
    }
  });
  // After the route's own onRequest hooks (the token): a client without it cannot take the budget.
  app.addHook('preParsing', async (request) => {
    if (request.method !== 'POST' || request.raw.complete) return;
    const declared = Number(request.headers['content-length']);
    const bytes = Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, config.batchBodyLimitBytes) : config.batchBodyLimitBytes;
    if (receiving + bytes > bodyBudget) {
      request.log.warn({ receiving, bytes, bodyBudget }, 'shedding load');
      throw overloaded(`${receiving} bytes of bodies being received`);
    }
    receiving += bytes;
    let released = false;
    const release = () => {
      if (!released) receiving -= bytes;
      released = true;
    };
    // Whichever comes first: the body is whole, the connection went, or the answer was sent.
    request.raw.once('end', release).once('close', release);
    releases.set(request, release);
  });
  app.addHook('onResponse', async (request) => releases.get(request)?.());
}
