import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProjectorError } from '../errors/projector-error.js';
import type { ServerDeps } from './server-deps.js';

const RETRY_AFTER_SECONDS = 1;

const overloaded = (why: string) =>
  new ProjectorError('unavailable', `overloaded: ${why}`, { retryAfterSeconds: RETRY_AFTER_SECONDS });

/**
 * Sheds load before it piles up: a 503 with `Retry-After` when the event loop lags or when more
 * events wait for the database than the pool can work off soon. The publisher retries 503s.
 */
export async function registerBackPressure(app: FastifyInstance, { applier, config }: ServerDeps): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: 1000,
    retryAfter: RETRY_AFTER_SECONDS,
    // Reads (health, metrics) still answer under pressure; a rejected promise goes to the error handler.
    pressureHandler: (request: FastifyRequest, _reply: FastifyReply, type: string, value: number | undefined) =>
      request.method === 'GET' ? undefined : Promise.reject(overloaded(`${type} ${value ?? ''}`.trim())),
  });
  // Enough for a few full batches in flight besides many single events; beyond it, latency only grows.
  const maxQueued = Math.max(config.dbPoolMax * 200, config.maxBatch * 8);
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && applier.queueDepth >= maxQueued) {
      request.log.warn({ queued: applier.queueDepth, maxQueued }, 'shedding load');
      throw overloaded(`${applier.queueDepth} events waiting for the database`);
    }
  });
}
