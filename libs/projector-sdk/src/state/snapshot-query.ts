import { canonicalJson, parseLosslessJson, pythonDumps, sortByCodePoint } from '../hash/index.js';
import { qualifiedTable } from '../lens/lens-in.js';
import type { ColumnKind, Lens, SnapshotTable } from '../lens/lens-types.js';

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
export function snapshotQuery(lens: Lens, table: SnapshotTable): string {
  const columns = Object.entries(table.columns).map(([name, kind]) => columnExpression(name, kind));
  const order = table.orderBy.map((col) => (table.columns[col] === 'text' ? `${col} COLLATE "C"` : col));
  return `SELECT ${columns.join(', ')} FROM ${qualifiedTable(lens, table.table)} WHERE world_id = $1 AND branch = $2 ORDER BY ${order.join(', ')}`;
}

/**
 * A row as canonical JSON text: keys sorted, nulls kept, bigints as their exact digits, and jsonb
 * written from its text losslessly (integers beyond 2^53 and float spellings kept, as the payload
 * hash does): parsed into JavaScript numbers, two different documents could hash the same.
 */
export function canonicalRowText(row: Record<string, unknown>, table: SnapshotTable): string {
  const fields = sortByCodePoint(Object.keys(table.columns)).map((name) => {
    const value = row[name] ?? null;
    const kind = table.columns[name]!;
    let text: string;
    if (value === null) text = 'null';
    else if (kind === 'bigint') text = canonicalJson(BigInt(value as string));
    else if (kind === 'jsonb') text = pythonDumps(parseLosslessJson(value as string));
    else text = canonicalJson(value);
    return `${canonicalJson(name)}:${text}`;
  });
  return `{${fields.join(',')}}`;
}
