import { z } from 'zod';
import { defineLens, handler, statement } from '../lens/define-lens.js';

/**
 * A tiny lens for the SDK's own tests, so the SDK is tested without lens-rel. Every handler also
 * appends to `applied`, which lets a test see the order events were applied in.
 */
export const memoLens = defineLens({
  name: 'memo',
  migrations: [
    {
      id: '0001_items',
      sql: `
        CREATE TABLE lens_memo.item (
          world_id uuid NOT NULL, branch text NOT NULL, item_id text NOT NULL,
          value text, amount integer, set_at timestamptz,
          PRIMARY KEY (world_id, branch, item_id)
        );
        CREATE TABLE lens_memo.applied (
          world_id uuid NOT NULL, branch text NOT NULL, global_seq bigint NOT NULL, kind text NOT NULL,
          PRIMARY KEY (world_id, branch, global_seq)
        );
      `,
    },
  ],
  handlers: {
    'item.set': handler(
      z.object({ id: z.string().min(1), value: z.string(), amount: z.number().int().optional() }),
      async ({ sql, payload, partition, globalSeq, occurredAt }) => {
        // Times go in as text: PostgreSQL parses them, so a bad one is a class 22 error (400), where
        // postgres.js would throw a RangeError turning it into a Date.
        await sql`
          WITH a AS (
            INSERT INTO lens_memo.applied VALUES (${partition.worldId}, ${partition.branch}, ${globalSeq}, 'item.set')
          )
          INSERT INTO lens_memo.item (world_id, branch, item_id, value, amount, set_at)
          VALUES (${partition.worldId}, ${partition.branch}, ${payload.id}, ${payload.value}, ${payload.amount ?? null}, ${occurredAt}::text::timestamptz)
          ON CONFLICT (world_id, branch, item_id) DO UPDATE SET value = EXCLUDED.value, amount = EXCLUDED.amount, set_at = EXCLUDED.set_at`;
      },
    ),
    /** The same write as one pipelined statement. */
    'item.put': statement(z.object({ id: z.string().min(1), value: z.string() }), ({ sql, payload, partition, globalSeq }) =>
      sql`
        WITH a AS (
          INSERT INTO lens_memo.applied VALUES (${partition.worldId}, ${partition.branch}, ${globalSeq}, 'item.put')
        )
        INSERT INTO lens_memo.item (world_id, branch, item_id, value)
        VALUES (${partition.worldId}, ${partition.branch}, ${payload.id}, ${payload.value})
        ON CONFLICT (world_id, branch, item_id) DO UPDATE SET value = EXCLUDED.value`,
    ),
    /** Reads before it writes: it must see what the (pipelined) events before it wrote. */
    'item.copy': handler(z.object({ from: z.string().min(1), to: z.string().min(1) }), async ({ sql, payload, partition, globalSeq }) => {
      const [source] = await sql<{ value: string }[]>`
        SELECT value FROM lens_memo.item WHERE world_id = ${partition.worldId} AND branch = ${partition.branch} AND item_id = ${payload.from}`;
      await sql`INSERT INTO lens_memo.applied VALUES (${partition.worldId}, ${partition.branch}, ${globalSeq}, 'item.copy')`;
      await sql`
        INSERT INTO lens_memo.item (world_id, branch, item_id, value)
        VALUES (${partition.worldId}, ${partition.branch}, ${payload.to}, ${source?.value ?? 'missing'})
        ON CONFLICT (world_id, branch, item_id) DO UPDATE SET value = EXCLUDED.value`;
    }),
    /** Takes its time, so a test can act while the transaction is open. */
    'item.slow': handler(z.object({ seconds: z.number().max(5) }), async ({ sql, payload, partition, globalSeq }) => {
      await sql`SELECT pg_sleep(${payload.seconds})`;
      await sql`INSERT INTO lens_memo.applied VALUES (${partition.worldId}, ${partition.branch}, ${globalSeq}, 'item.slow')`;
    }),
    /** A bug in a handler: not the database's fault, not the caller's. */
    'item.crash': handler(z.object({}), async () => {
      throw new Error('handler bug');
    }),
  },
  snapshot: {
    items: {
      table: 'lens_memo.item',
      columns: { item_id: 'text', value: 'text', amount: 'integer', set_at: 'timestamptz' },
      orderBy: ['item_id'],
    },
    applied: {
      table: 'lens_memo.applied',
      columns: { global_seq: 'bigint', kind: 'text' },
      orderBy: ['global_seq'],
    },
  },
});
