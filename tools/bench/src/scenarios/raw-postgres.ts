import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from '@projectors/projector-sdk';
import { expectedRelModel, type RelEvent } from '@projectors/lens-rel/testing';
import type { ScenarioResult } from './scenario-result.js';

type Row = Record<string, string | null>;

interface TableRows {
  readonly table: 'note' | 'note_tag' | 'link';
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

const STATEMENT_ROWS = 1_000;

/** The rows `lens_rel` holds once `events` are applied (the lens-rel oracle), table by table. */
export function lensRows(events: readonly RelEvent[]): TableRows[] {
  const model = expectedRelModel(events);
  const p = (m: (typeof model)[number]) => ({ world_id: m.world_id, branch: m.branch });
  return [
    { table: 'note', columns: ['world_id', 'branch', 'note_id', 'title', 'body', 'created_at', 'updated_at'], rows: model.flatMap((m) => m.notes.map((r) => ({ ...p(m), ...r }))) },
    { table: 'note_tag', columns: ['world_id', 'branch', 'note_id', 'tag', 'applied_at'], rows: model.flatMap((m) => m.tags.map((r) => ({ ...p(m), ...r }))) },
    { table: 'link', columns: ['world_id', 'branch', 'src_id', 'dst_id', 'link_type', 'created_at'], rows: model.flatMap((m) => m.links.map((r) => ({ ...p(m), ...r }))) },
  ];
}

/** Copies of the lens tables (same columns, keys and indexes), so the raw figures pay what the lens pays. */
async function createCopies(sql: Sql, suffix: string): Promise<void> {
  await sql.unsafe('CREATE SCHEMA IF NOT EXISTS bench_raw');
  for (const table of ['note', 'note_tag', 'link']) {
    await sql.unsafe(`CREATE TABLE bench_raw.${table}_${suffix} (LIKE lens_rel.${table} INCLUDING ALL)`);
  }
}

/** Runs: a few thousand rows take a fraction of a second, so one run is at the mercy of one hiccup. */
export const RAW_RUNS = 3;

/** Times `load` into fresh copies of the lens tables `RAW_RUNS` times; the figure is the median run. */
async function timedRuns(sql: Sql, method: 'insert' | 'copy', load: (suffix: string) => Promise<void>): Promise<{ seconds: number; runs: number[] }> {
  const runs: number[] = [];
  for (let run = 1; run <= RAW_RUNS; run++) {
    const suffix = `${method}_${run}`;
    await createCopies(sql, suffix);
    const started = performance.now();
    await load(suffix);
    runs.push(Math.round(performance.now() - started) / 1000);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { seconds: sorted[Math.floor(sorted.length / 2)]!, runs };
}

/** Multi-row INSERTs of 1,000 rows each, all in one transaction. */
export async function rawInsert(sql: Sql, tables: readonly TableRows[]): Promise<ScenarioResult> {
  const total = tables.reduce((n, t) => n + t.rows.length, 0);
  const { seconds, runs } = await timedRuns(sql, 'insert', async (suffix) => {
    await sql.begin(async (tx) => {
      for (const { table, columns, rows } of tables) {
        for (let i = 0; i < rows.length; i += STATEMENT_ROWS) {
          await tx`INSERT INTO ${tx(`bench_raw.${table}_${suffix}`)} ${tx(rows.slice(i, i + STATEMENT_ROWS) as Row[], ...columns)}`;
        }
      }
    });
  });
  return rawResult('raw-insert', 'raw INSERT, multi-row, 1 tx', total, seconds, { statementRows: STATEMENT_ROWS, tables: rowCounts(tables), runSeconds: runs, figure: 'median run' });
}

/** `COPY … FROM STDIN` per table, all in one transaction. */
export async function rawCopy(sql: Sql, tables: readonly TableRows[]): Promise<ScenarioResult> {
  const total = tables.reduce((n, t) => n + t.rows.length, 0);
  const { seconds, runs } = await timedRuns(sql, 'copy', async (suffix) => {
    await sql.begin(async (tx) => {
      for (const { table, columns, rows } of tables) {
        const writable = await tx.unsafe(`COPY bench_raw.${table}_${suffix} (${columns.join(', ')}) FROM STDIN`).writable();
        await pipeline(Readable.from(copyLines(rows, columns)), writable);
      }
    });
  });
  return rawResult('raw-copy', 'raw COPY, 1 tx', total, seconds, { tables: rowCounts(tables), runSeconds: runs, figure: 'median run' });
}

/** COPY text format, several hundred rows per chunk. */
function* copyLines(rows: readonly Row[], columns: readonly string[]): Generator<string> {
  let chunk = '';
  for (const [i, row] of rows.entries()) {
    chunk += `${columns.map((c) => copyValue(row[c] ?? null)).join('\t')}\n`;
    if (i % 500 === 499) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
}

const rowCounts = (tables: readonly TableRows[]) => Object.fromEntries(tables.map((t) => [t.table, t.rows.length]));

function rawResult(id: string, label: string, rows: number, seconds: number, detail: Record<string, unknown>): ScenarioResult {
  return { id, label, unit: 'rows', count: rows, seconds, rate: seconds > 0 ? rows / seconds : 0, errors: 0, detail };
}
