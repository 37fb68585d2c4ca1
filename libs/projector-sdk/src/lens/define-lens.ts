import type { z } from 'zod';
import type { EventContext, EventHandler, HandlerContext, Lens, Migration, PendingStatement, SetForm, SnapshotTable, Tables } from './lens-types.js';

const LENS_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

export interface LensDefinition {
  name: string;
  /** The version of the handlers and tables (default 1); raise it when their effect changes (rebuild/). */
  version?: number;
  projectorName?: string;
  /** SQL that names the lens tables unqualified (`CREATE TABLE note`): the SDK runs it in the schema it builds. */
  migrations: readonly Migration[];
  // Handlers are typed one by one through `handler()`; here any payload type is accepted.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: Record<string, EventHandler<any>>;
  snapshot: Record<string, SnapshotTable>;
}

/**
 * Ties a payload schema to its handler so `ctx.payload` is typed from the schema; `tables` names the
 * lens tables it uses, which it finds typed in `ctx.tables` (`${tables.note}` in a query).
 */
export function handler<S extends z.ZodType, const T extends string>(
  payload: S,
  tables: readonly T[],
  apply: (ctx: HandlerContext<z.output<S>, T>) => Promise<void>,
): EventHandler<z.output<S>> {
  return { payload: payload as z.ZodType<z.output<S>>, tables, apply: apply as EventHandler<z.output<S>>['apply'] };
}

/**
 * A handler that is one SQL statement: `build` returns the query (postgres.js' tagged template)
 * without awaiting it and does nothing else. Prefer it to `handler()` whenever one statement does:
 * the SDK can pipeline such handlers. `build` must return the pending query itself: an `async`
 * builder (which could await before it builds, and so reorder statements) does not type-check.
 */
export function statement<S extends z.ZodType, const T extends string>(
  payload: S,
  tables: readonly T[],
  build: (ctx: HandlerContext<z.output<S>, T>) => PendingStatement,
): EventHandler<z.output<S>> {
  const statement = build as (ctx: HandlerContext<z.output<S>>) => PendingStatement;
  return {
    payload: payload as z.ZodType<z.output<S>>,
    tables,
    apply: async (ctx) => {
      await statement(ctx);
    },
    statement,
  };
}

/**
 * A kind applied set-based: `form.row` turns each event into a row, and `form.apply` writes many rows
 * in one statement. The SDK plans batches, group commits, gap fills and replays into steps of events
 * with disjoint `form.keys`, one statement per kind per step. The fastest form; use it for every kind
 * whose effect is one statement per row.
 */
export function setStatement<S extends z.ZodType, R, const T extends string>(
  payload: S,
  form: SetForm<z.output<S>, R, T>,
): EventHandler<z.output<S>> {
  const single = ({ sql, tables, ...event }: HandlerContext<z.output<S>>) =>
    form.apply(sql, [form.row(event as EventContext<z.output<S>>)], tables as Tables<T>);
  return {
    payload: payload as z.ZodType<z.output<S>>,
    tables: form.tables,
    apply: async (ctx) => {
      await single(ctx);
    },
    statement: single,
    set: form,
  };
}

/**
 * Makes a lens: a plain, frozen object the SDK composes into a projector. Checks what would
 * otherwise fail late (names, duplicate migration ids, snapshot tables, handlers naming a table
 * that is not one of the snapshot's).
 */
export function defineLens(def: LensDefinition): Lens {
  if (!LENS_NAME.test(def.name)) {
    throw new Error(`lens name ${JSON.stringify(def.name)} must be kebab-case (a-z, 0-9, -)`);
  }
  const version = def.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`lens ${def.name}: version must be a positive integer, not ${version}`);
  const schema = `lens_${def.name.replaceAll('-', '_')}`;
  const projectorName = def.projectorName ?? `projector_${def.name.replaceAll('-', '_')}`;
  const ids = new Set<string>();
  for (const m of def.migrations) {
    if (ids.has(m.id)) throw new Error(`lens ${def.name}: migration id ${m.id} is used twice`);
    ids.add(m.id);
  }
  const tables = new Set<string>();
  for (const [name, table] of Object.entries(def.snapshot)) {
    if (!SQL_NAME.test(name)) throw new Error(`lens ${def.name}: snapshot name ${name} must be a lowercase identifier`);
    if (!SQL_NAME.test(table.table)) {
      throw new Error(`lens ${def.name}: snapshot ${name} must name a table of the lens schema unqualified (note), not ${table.table}`);
    }
    tables.add(table.table);
    for (const col of [...Object.keys(table.columns), ...table.orderBy]) {
      if (!SQL_NAME.test(col)) throw new Error(`lens ${def.name}: bad column name ${col} in snapshot ${name}`);
    }
  }
  for (const [kind, h] of Object.entries(def.handlers)) {
    const unknown = h.tables.filter((t) => !tables.has(t));
    if (unknown.length > 0) throw new Error(`lens ${def.name}: handler ${kind} names ${unknown.join(', ')}, which no snapshot table is`);
  }
  return Object.freeze({
    name: def.name,
    version,
    projectorName,
    decisionsOf: projectorName,
    serviceName: `projector-${def.name}`,
    schema,
    migrations: Object.freeze([...def.migrations]),
    handlers: Object.freeze({ ...def.handlers }),
    snapshot: Object.freeze({ ...def.snapshot }),
  });
}
