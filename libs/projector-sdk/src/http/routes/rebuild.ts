import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProjectorError } from '../../errors/projector-error.js';
import type { Partition } from '../../event/event.js';
import type { RebuildReport } from '../../rebuild/run-rebuild.js';
import type { RebuildRunner } from '../../rebuild/rebuild-runner.js';
import { errorAnswers } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const partition = z.object({ world_id: z.string(), branch: z.string() });
const startBody = z.object({ accept_differences: z.boolean().default(false) }).default({ accept_differences: false });
const startedAnswer = z.object({ status: z.literal('started') }).meta({ description: 'The rebuild runs in the background: GET /rebuild follows it.' });
const report = z.looseObject({
  status: z.enum(['refused', 'cut over', 'different', 'failed', 'built', 'aborted']),
  reason: z.string().optional(),
  version: z.number().int().optional(),
  from_version: z.number().int().optional(),
  partitions: z.number().int().optional(),
  events: z.number().int().optional(),
  equal: z.number().int().optional(),
  different: z.number().int().optional(),
  first_different: z.array(partition).optional(),
  failed: z.array(partition.extend({ global_seq: z.number().int(), code: z.string(), message: z.string() })).optional(),
  seconds: z.number().optional(),
  cutover_ms: z.number().nullable().optional(),
});
const statusAnswer = z
  .object({
    running: z.boolean(),
    progress: z.object({ phase: z.string(), events_done: z.number(), events_total: z.number(), partitions_compared: z.number(), partitions: z.number() }).nullable(),
    last: report.nullable(),
  })
  .meta({ description: 'The rebuild running (its progress) and the report of the last one this process ran.' });

const snake = (p: Partition) => ({ world_id: p.worldId, branch: p.branch });

function reportAnswer(r: RebuildReport): z.infer<typeof report> {
  if (r.status === 'refused') return { status: r.status, reason: r.reason };
  return {
    status: r.status,
    version: r.version,
    from_version: r.fromVersion,
    partitions: r.partitions,
    events: r.events,
    equal: r.equal,
    different: r.different,
    first_different: r.firstDifferent.map(snake),
    failed: r.failed.map((f) => ({ ...snake(f.partition), global_seq: f.globalSeq, code: f.error.code, message: f.error.message })),
    seconds: r.seconds,
    cutover_ms: r.cutoverMs,
  };
}

/**
 * The operator's rebuild (docs/rebuild.md): `POST /rebuild` builds the lens anew beside the live one
 * in the background and cuts over; `GET /rebuild` follows it. Behind `PROJECTOR_AUTH_TOKEN` when set.
 */
export function rebuildRoutes(app: FastifyInstance, deps: ServerDeps & { rebuilds: RebuildRunner }): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = deps.authenticate;
  const secured = onRequest ? { security: [{ bearer: [] }] } : {};
  const errors = { 400: errorAnswers.invalid_event, ...(onRequest && { 401: errorAnswers.unauthorized }) };

  typed.post(
    '/rebuild',
    { onRequest, schema: { ...secured, summary: 'Rebuild the lens beside the live one, compare by state hash, cut over', body: startBody, response: { 202: startedAnswer, ...errors, 409: errorAnswers.rebuild_running } } },
    async (request, reply) => {
      if (!deps.rebuilds.start({ acceptDifferences: request.body.accept_differences })) throw new ProjectorError('rebuild_running', 'a rebuild of this lens is running already');
      return reply.code(202).send({ status: 'started' as const });
    },
  );

  typed.get('/rebuild', { onRequest, schema: { ...secured, summary: 'The rebuild running and the last one', response: { 200: statusAnswer, ...errors } } }, async () => {
    const { running, progress, last } = deps.rebuilds.status();
    return {
      running,
      progress: progress && { phase: progress.phase, events_done: progress.eventsDone, events_total: progress.eventsTotal, partitions_compared: progress.partitionsCompared, partitions: progress.partitions },
      last: last && reportAnswer(last),
    };
  });
}
