import type { z } from 'zod';
import type { EventContext, EventHandler, HandlerContext, Lens, Migration, PendingStatement, SetForm, SnapshotTable } from './lens-types.js';

const LENS_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

export interface LensDefinition {
  name: string;
  projectorName?: string;
  migrations: readonly Migration[];
  // Handlers are typed one by one through `handler()`; here any payload type is accepted.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: Record<string, EventHandler<any>>;
  snapshot: Record<string, SnapshotTable>;
}

/** Ties a payload schema to its handler so `ctx.payload` is typed from the schema. */
export function handler<S extends z.ZodType>(
  payload: S,
  apply: (ctx: HandlerContext<z.output<S>>) => Promise<void>,
): EventHandler<z.output<S>> {
  return { payload: payload as z.ZodType<z.output<S>>, apply };
}

/**
 * A handler that is one SQL statement: `build` returns the query (postgres.js' tagged template)
 * without awaiting it and does nothing else. Prefer it to `handler()` whenever one statement does:
 * the SDK can pipeline such handlers. `build` must return the pending query itself: an `async`
 * builder (which could await before it builds, and so reorder statements) does not type-check.
 */
export function statement<S extends z.ZodType>(
  payload: S,
  build: (ctx: HandlerContext<z.output<S>>) => PendingStatement,
): EventHandler<z.output<S>> {
  return {
    payload: payload as z.ZodType<z.output<S>>,
    apply: async (ctx) => {
      await build(ctx);
    },
    statement: build,
  };
}

/**
 * A kind applied set-based: `form.row` turns each event into a row, and `form.apply` writes many rows
 * in one statement. The SDK plans batches, group commits, gap fills and replays into steps of events
 * with disjoint `form.keys`, one statement per kind per step. The fastest form; use it for every kind
 * whose effect is one statement per row.
 */
export function setStatement<S extends z.ZodType, R>(payload: S, form: SetForm<z.output<S>, R>): EventHandler<z.output<S>> {
  const single = ({ sql, ...event }: HandlerContext<z.output<S>>) => form.apply(sql, [form.row(event as EventContext<z.output<S>>)]);
  return {
    payload: payload as z.ZodType<z.output<S>>,
    apply: async (ctx) => {
      await single(ctx);
    },
    statement: single,
    set: form,
  };
}

/**
 * Makes a lens: a plain, frozen object the SDK composes into a projector. Checks what would
 * otherwise fail late (names, duplicate migration ids, snapshot tables outside the lens schema).
 */
export function defineLens(def: LensDefinition): Lens {
  if (!LENS_NAME.test(def.name)) {
    throw new Error(`lens name ${JSON.stringify(def.name)} must be kebab-case (a-z, 0-9, -)`);
  }
  const schema = `lens_${def.name.replaceAll('-', '_')}`;
  const projectorName = def.projectorName ?? `projector_${def.name.replaceAll('-', '_')}`;
  const ids = new Set<string>();
  for (const m of def.migrations) {
    if (ids.has(m.id)) throw new Error(`lens ${def.name}: migration id ${m.id} is used twice`);
    ids.add(m.id);
  }
  for (const [name, table] of Object.entries(def.snapshot)) {
    if (!SQL_NAME.test(name)) throw new Error(`lens ${def.name}: snapshot name ${name} must be a lowercase identifier`);
    const [tableSchema, tableName] = table.table.split('.');
    if (tableSchema !== schema || !tableName || !SQL_NAME.test(tableName)) {
      throw new Error(`lens ${def.name}: snapshot ${name} must name a table ${schema}.<name>, not ${table.table}`);
    }
    for (const col of [...Object.keys(table.columns), ...table.orderBy]) {
      if (!SQL_NAME.test(col)) throw new Error(`lens ${def.name}: bad column name ${col} in snapshot ${name}`);
    }
  }
  return Object.freeze({
    name: def.name,
    projectorName,
    serviceName: `projector-${def.name}`,
    schema,
    migrations: Object.freeze([...def.migrations]),
    handlers: Object.freeze({ ...def.handlers }),
    snapshot: Object.freeze({ ...def.snapshot }),
  });
}
