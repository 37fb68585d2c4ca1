import { z } from 'zod';
import type { Outcome } from '../apply/apply-events.js';

/** The 200 answers of the write routes, as the OpenAPI document shows them. */
export const eventAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('processed'), global_seq: z.number().int() }),
  z.object({ status: z.literal('ignored'), global_seq: z.number().int() }),
  z.object({ status: z.literal('duplicate'), global_seq: z.number().int(), watermark: z.number().int() }),
]);

export const batchAnswerSchema = z.object({
  status: z.literal('processed'),
  results: z.array(z.object({ global_seq: z.number().int(), status: z.enum(['processed', 'duplicate', 'ignored']) })),
});

export const errorAnswerSchema = z.looseObject({ error: z.string(), message: z.string().optional() });

export function eventAnswer(outcome: Outcome): z.infer<typeof eventAnswerSchema> {
  return outcome.status === 'duplicate'
    ? { status: 'duplicate', global_seq: outcome.globalSeq, watermark: outcome.watermark }
    : { status: outcome.status, global_seq: outcome.globalSeq };
}
