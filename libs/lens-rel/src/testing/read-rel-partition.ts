import type { Sql } from '@projectors/projector-sdk';
import type { RelLinkRow, RelNoteRow, RelPartitionRows, RelTagRow } from './expected-rel-model.js';

const UTC = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const at = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', ${UTC}) AS ${column}`;

/**
 * What `lens_rel` and the watermark hold for a partition, in the shape of `expectedRelModel`: rows
 * in primary-key order by byte (`COLLATE "C"`), times as UTC text with microseconds.
 */
export async function readRelPartition(sql: Sql, partition: { world_id: string; branch: string }): Promise<RelPartitionRows> {
  const params = [partition.world_id, partition.branch];
  const where = 'WHERE world_id = $1 AND branch = $2';
  const notes = await sql.unsafe<RelNoteRow[]>(
    `SELECT note_id, title, body, ${at('created_at')}, ${at('updated_at')} FROM lens_rel.note ${where} ORDER BY note_id COLLATE "C"`,
    params,
  );
  const tags = await sql.unsafe<RelTagRow[]>(
    `SELECT note_id, tag, ${at('applied_at')} FROM lens_rel.note_tag ${where} ORDER BY note_id COLLATE "C", tag COLLATE "C"`,
    params,
  );
  const links = await sql.unsafe<RelLinkRow[]>(
    `SELECT src_id, dst_id, link_type, ${at('created_at')} FROM lens_rel.link ${where}
     ORDER BY src_id COLLATE "C", dst_id COLLATE "C", link_type COLLATE "C"`,
    params,
  );
  const [watermark] = await sql<{ seq: string }[]>`
    SELECT last_processed_seq::text AS seq FROM event_core.projector_watermarks
    WHERE projector_name = 'projector_rel' AND world_id = ${partition.world_id} AND branch = ${partition.branch}`;
  return {
    world_id: partition.world_id,
    branch: partition.branch,
    watermark: watermark ? Number(watermark.seq) : 0,
    notes: [...notes],
    tags: [...tags],
    links: [...links],
  };
}
