import type { Migration } from '../lens/lens-types.js';

/**
 * The SDK's own tables in `event_core` (contract.md, "Database"). Each statement creates only what is
 * missing: the event log usually belongs to the gateway, and nothing here is ever dropped.
 */
export const eventCoreMigrations: readonly Migration[] = [
  {
    id: '0001_event_core',
    sql: `
      CREATE TABLE IF NOT EXISTS event_core.event_log (
        global_seq   bigint PRIMARY KEY,
        event_id     text UNIQUE NOT NULL,
        world_id     uuid NOT NULL,
        branch       text NOT NULL,
        kind         text NOT NULL,
        envelope     jsonb NOT NULL,
        payload_hash text,
        received_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS event_log_partition_seq_idx
        ON event_core.event_log (world_id, branch, global_seq);

      CREATE TABLE IF NOT EXISTS event_core.projector_watermarks (
        projector_name     text NOT NULL,
        world_id           uuid NOT NULL,
        branch             text NOT NULL,
        last_processed_seq bigint NOT NULL,
        updated_at         timestamptz NOT NULL,
        PRIMARY KEY (projector_name, world_id, branch)
      );

      CREATE TABLE IF NOT EXISTS event_core.projector_state_hashes (
        projector_name text NOT NULL,
        world_id       uuid NOT NULL,
        branch         text NOT NULL,
        global_seq     bigint NOT NULL,
        state_hash     text NOT NULL,
        computed_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projector_name, world_id, branch, global_seq)
      );
    `,
  },
  {
    // Issue 11: a partition parked at a poison event, and the skips decided (by policy or an operator),
    // kept as data so that replay and the state-hash monitor skip the same events live did.
    id: '0002_partition_blocks_and_skips',
    sql: `
      CREATE TABLE IF NOT EXISTS event_core.projector_partition_blocks (
        projector_name text NOT NULL,
        world_id       uuid NOT NULL,
        branch         text NOT NULL,
        global_seq     bigint NOT NULL,
        code           text NOT NULL,
        message        text NOT NULL,
        first_seen     timestamptz NOT NULL DEFAULT now(),
        last_seen      timestamptz NOT NULL DEFAULT now(),
        attempts       integer NOT NULL DEFAULT 1,
        PRIMARY KEY (projector_name, world_id, branch)
      );

      CREATE TABLE IF NOT EXISTS event_core.projector_skips (
        projector_name text NOT NULL,
        world_id       uuid NOT NULL,
        branch         text NOT NULL,
        global_seq     bigint NOT NULL,
        reason         text NOT NULL,
        decided_by     text NOT NULL,
        operator       text,
        code           text,
        message        text,
        skipped_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projector_name, world_id, branch, global_seq)
      );
    `,
  },
  {
    // Issue 13: the lens version that built each projector's live tables, and a rebuild in progress
    // (its copy's schema and watermarks are the rest of its state, so it resumes after a crash).
    id: '0003_lens_versions_and_rebuilds',
    sql: `
      CREATE TABLE IF NOT EXISTS event_core.projector_lenses (
        projector_name text PRIMARY KEY,
        version        integer NOT NULL,
        built_at       timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE IF NOT EXISTS event_core.projector_rebuilds (
        projector_name text PRIMARY KEY,
        version        integer NOT NULL,
        from_version   integer NOT NULL,
        build_schema   text NOT NULL,
        started_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
