import type { ColumnKind, SnapshotTable } from '../lens/lens-types.js';

// The canonical form wants UTC with microseconds; formatting in SQL keeps the microseconds that a
// JavaScript Date would drop.
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

const columnExpression = (name: string, kind: ColumnKind): string => {
  switch (kind) {
    case 'timestamptz':
      return `to_char(${name} AT TIME ZONE 'UTC', ${ISO_UTC}) AS ${name}`;
    case 'bigint':
    case 'jsonb':
      return `${name}::text AS ${name}`;
    default:
      return name;
  }
};

/**
 * The query that reads one partition of a snapshot table in primary-key order. Text sorts by byte
 * (`COLLATE "C"`): the database's own collation could differ between two servers, and the order
 * must not.
 */
export function snapshotQuery(table: SnapshotTable): string {
  const columns = Object.entries(table.columns).map(([name, kind]) => columnExpression(name, kind));
  const order = table.orderBy.map((col) => (table.columns[col] === 'text' ? `${col} COLLATE "C"` : col));
  return `SELECT ${columns.join(', ')} FROM ${table.table} WHERE world_id = $1 AND branch = $2 ORDER BY ${order.join(', ')}`;
}

/** A row as the canonical JSON wants it: bigints exact, jsonb parsed, nulls kept. */
export function canonicalRow(row: Record<string, unknown>, table: SnapshotTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(table.columns)) {
    const value = row[name] ?? null;
    if (value === null) out[name] = null;
    else if (kind === 'bigint') out[name] = BigInt(value as string);
    else if (kind === 'jsonb') out[name] = JSON.parse(value as string);
    else out[name] = value;
  }
  return out;
}
