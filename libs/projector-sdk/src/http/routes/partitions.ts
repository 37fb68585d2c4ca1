import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newCatchupStatus } from '../../catchup/catchup-status.js';
import { ProjectorError } from '../../errors/projector-error.js';
import { globalSeq, type Partition } from '../../event/event.js';
import { listPartitionReports, MAX_LISTED_PARTITIONS, operatorRetry, operatorSkip, showPartition, type OperatorDeps, type OperatorResult } from '../../poison/operator-actions.js';
import { identifier } from '../../event/text-rules.js';
import { errorAnswers, operatorAnswerSchema, partitionReportSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const params = z.object({ world_id: z.guid(), branch: identifier() });
const listQuery = z.object({
  status: z.enum(['blocked', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(MAX_LISTED_PARTITIONS).default(MAX_LISTED_PARTITIONS),
});
const skipBody = z.object({ global_seq: z.number().int().positive(), reason: z.string().min(1).max(1000) });
/** `X-Operator` is stored as given, up to this length. */
const MAX_OPERATOR_LENGTH = 200;

const partitionOf = (p: z.infer<typeof params>): Partition => ({ worldId: p.world_id.toLowerCase(), branch: p.branch });

function refused(result: Extract<OperatorResult, { ok: false }>): never {
  throw new ProjectorError('not_blocked_at', result.blockedAt === null ? 'the partition is not blocked' : `the partition is blocked at event ${result.blockedAt}`, {
    details: { blocked_at: result.blockedAt },
  });
}

/**
 * The operator's routes (contract.md, "Operating partitions"): see partitions and their blocks, skip
 * a poison event (stored as data) or retry it. All behind `PROJECTOR_AUTH_TOKEN` when one is set.
 */
export function partitionRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const operator: OperatorDeps = { sql: deps.sql, lens: deps.lens, config: deps.config, metrics: deps.metrics, log: deps.logger, catchup: deps.catchup ?? newCatchupStatus() };
  const onRequest = deps.authenticate;
  // Behind the token when one is set, reads included: the answers name partitions and their errors.
  const secured = onRequest ? { security: [{ bearer: [] }] } : {};
  const errors = { 400: errorAnswers.invalid_event, ...(onRequest && { 401: errorAnswers.unauthorized }), 404: errorAnswers.not_found };
  const skipErrors = { ...errors, 409: errorAnswers.not_blocked_at };

  typed.get(
    '/partitions',
    { onRequest, schema: { ...secured, summary: "The log's partitions: watermark, head, lag, block", querystring: listQuery, response: { 200: z.object({ partitions: z.array(partitionReportSchema) }).meta({ description: 'The partitions, blocked ones first when status=all.' }), ...errors } } },
    async (request) => ({ partitions: await listPartitionReports(operator, { blockedOnly: request.query.status === 'blocked', limit: request.query.limit }) }),
  );

  typed.get(
    '/partitions/:world_id/:branch',
    { onRequest, schema: { ...secured, summary: 'One partition: watermark, head, lag, block', params, response: { 200: partitionReportSchema, ...errors } } },
    async (request) => {
      const report = await showPartition(operator, partitionOf(request.params));
      if (!report) throw new ProjectorError('not_found', 'no such partition in the log or the watermarks');
      return report;
    },
  );

  typed.post(
    '/partitions/:world_id/:branch/skip',
    {
      onRequest,
      schema: { ...secured, summary: 'Skip the event a partition is blocked at (recorded as data)', params, body: skipBody, response: { 200: operatorAnswerSchema, ...skipErrors } },
    },
    async (request) => {
      const header = request.headers['x-operator'];
      const result = await operatorSkip(operator, {
        partition: partitionOf(request.params),
        globalSeq: globalSeq(request.body.global_seq),
        reason: request.body.reason,
        operator: typeof header === 'string' && header !== '' ? header.slice(0, MAX_OPERATOR_LENGTH) : undefined,
      });
      if (!result.ok) refused(result);
      return { status: result.status, partition: result.partition };
    },
  );

  typed.post(
    '/partitions/:world_id/:branch/retry',
    { onRequest, schema: { ...secured, summary: 'Try the event a partition is blocked at again now', params, response: { 200: operatorAnswerSchema, ...errors } } },
    async (request) => {
      const result = await operatorRetry(operator, partitionOf(request.params));
      if (!result.ok) refused(result);
      return { status: result.status, partition: result.partition };
    },
  );
}
