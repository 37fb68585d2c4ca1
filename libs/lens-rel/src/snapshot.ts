import type { SnapshotTable } from '@projectors/projector-sdk';

/** What the state hash covers: every lens row of a partition, in primary-key order. */
export const relSnapshot = {
  notes: {
    table: 'note',
    columns: { note_id: 'text', title: 'text', body: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' },
    orderBy: ['note_id'],
  },
  tags: {
    table: 'note_tag',
    columns: { note_id: 'text', tag: 'text', applied_at: 'timestamptz' },
    orderBy: ['note_id', 'tag'],
  },
  links: {
    table: 'link',
    columns: { src_id: 'text', dst_id: 'text', link_type: 'text', created_at: 'timestamptz' },
    orderBy: ['src_id', 'dst_id', 'link_type'],
  },
} as const satisfies Record<string, SnapshotTable>;
