import type { Sql } from '@projectors/projector-sdk';
import { logEvents } from '@projectors/projector-sdk/log-events';
import type { RelEvent } from './rel-stream.js';

/**
 * Writes rel events to `event_core.event_log` as the gateway does before the publisher pushes them,
 * with the SDK's one log writer (several hundred rows per statement). The schema must exist:
 * migrate a projector on the database first.
 */
export const logRelEvents = (sql: Sql, events: readonly RelEvent[]): Promise<void> => logEvents(sql, events);
