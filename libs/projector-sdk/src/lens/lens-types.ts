import type postgres from 'postgres';
import type { z } from 'zod';
import type { EnvelopeBody } from '../event/event-schema.js';
import type { GlobalSeq, Partition } from '../event/event.js';

/** The transaction a handler writes through. The SDK opened it and will commit it. */
export type Tx = postgres.TransactionSql<Record<string, unknown>>;

/**
 * A table of the lens, named by the SDK for the schema being written (`"lens_rel"."note"` live,
 * `"lens_rel__build"."note"` in a rebuild): put it in a query as `${tables.note}`.
 */
export type TableRef = postgres.Helper<string, []>;

/** The tables a handler declared, by name; only those are typed, so a typo does not compile. */
export type Tables<T extends string> = Readonly<Record<T, TableRef>>;

/** What a handler receives: its validated payload and where it belongs. */
export interface HandlerContext<P, T extends string = string> {
  readonly sql: Tx;
  /** The lens tables the handler declared, in the schema this transaction writes. */
  readonly tables: Tables<T>;
  readonly payload: P;
  readonly partition: Partition;
  readonly globalSeq: GlobalSeq;
  readonly envelope: EnvelopeBody;
  /** `envelope.occurred_at`, the only clock a lens may use; null when absent. */
  readonly occurredAt: string | null;
}

/**
 * A postgres.js query built and not yet sent (what `sql\`...\`` returns). A Promise is not one: an
 * `async` function returning a query is refused by the compiler.
 */
export type PendingStatement = postgres.PendingQuery<readonly postgres.MaybeRow[]>;

/** One event as a set-based handler sees it when it makes the event's row: no `sql`, nothing to run. */
export type EventContext<P> = Omit<HandlerContext<P>, 'sql' | 'tables'>;

/**
 * The set-based form of a kind (`setStatement()`): many events of the kind applied by one statement.
 * The SDK only puts events with disjoint keys into one statement, and keeps the order of the events
 * of each key (docs/set-based-apply.md), so `apply` never sees two rows that touch the same rows.
 */
export interface SetForm<P, R, T extends string = string> {
  /** The lens tables `apply` writes or reads (each one a snapshot table). */
  readonly tables: readonly T[];
  /**
   * The logical rows the event reads or writes within its partition, named by the lens (`note:n1`):
   * two events that may touch a common row must share a key. Coarser keys are always safe.
   */
  readonly keys: (event: EventContext<P>) => readonly string[];
  /**
   * Wider rows the event lies within without changing them as a whole (a tag lies within its note):
   * it is ordered with events that hold one of them as a key (the note's delete), not with the other
   * events within it (other tags of the note). Optional.
   */
  readonly within?: (event: EventContext<P>) => readonly string[];
  /** The event as one row of the statement. A ProjectorError thrown here is this event's own. */
  readonly row: (event: EventContext<P>) => R;
  /** One statement that applies every row (typically `... FROM unnest(...)`), built, not awaited. */
  readonly apply: (sql: Tx, rows: readonly R[], tables: Tables<T>) => PendingStatement;
}

export interface EventHandler<P = unknown> {
  /** Validates the payload of this kind; a mismatch is `invalid_payload`, nothing written. */
  readonly payload: z.ZodType<P>;
  /** The lens tables the handler names (`defineLens` checks each is a snapshot table). */
  readonly tables: readonly string[];
  readonly apply: (ctx: HandlerContext<P>) => Promise<void>;
  /**
   * Set by `statement()`: the handler is exactly one SQL statement, made without waiting for
   * anything. The SDK then sends the statements of consecutive events without waiting for each
   * answer (PostgreSQL still runs them in order), which is what makes batches and replays fast.
   */
  readonly statement?: (ctx: HandlerContext<P>) => PendingStatement;
  /** Set by `setStatement()`: the form that applies many events of the kind in one statement. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly set?: SetForm<P, any, any>;
}

/** One SQL migration of a lens, applied once, in order, and recorded by id. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/** How a snapshot column is written into the canonical JSON of the state hash. */
export type ColumnKind = 'text' | 'integer' | 'bigint' | 'boolean' | 'timestamptz' | 'jsonb';

/**
 * One table of the snapshot: the rows of a partition, in primary-key order. The table must have
 * `world_id` and `branch` columns; they are not repeated in the rows.
 */
export interface SnapshotTable {
  /** The table's name in the lens schema, unqualified (`note`): the SDK names the schema. */
  readonly table: string;
  readonly columns: Readonly<Record<string, ColumnKind>>;
  readonly orderBy: readonly string[];
}

export interface Lens {
  /** Short name: `rel`. Its tables live in schema `lens_<name>`. */
  readonly name: string;
  /**
   * The version of the lens's code and tables (`defineLens({ version })`, default 1). A projector
   * whose live tables were built by another version builds this one beside them (rebuild/).
   */
  readonly version: number;
  /** The name its watermarks and partition locks are kept under: `projector_rel`. */
  readonly projectorName: string;
  /**
   * The projector whose recorded decisions (skips of poison events) this lens honours: its own
   * `projectorName`, except for a copy built beside the live lens (`lensIn`), which follows live's.
   */
  readonly decisionsOf: string;
  /** The service name in `/health`: `projector-rel`. */
  readonly serviceName: string;
  /** The schema its tables are in: `lens_rel`, or a build or scratch schema for a copy (`lensIn`). */
  readonly schema: string;
  readonly migrations: readonly Migration[];
  /** Each handler's payload type is checked where it is made (`handler()`), not here. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handlers: Readonly<Record<string, EventHandler<any>>>;
  /**
   * The lens's state, table by table. It must name every table a handler writes: the state hash
   * covers exactly these, and a replay empties exactly these before applying the log again.
   */
  readonly snapshot: Readonly<Record<string, SnapshotTable>>;
}
