import type { Attributes } from '@opentelemetry/api';
import type { Partition, ProjectorEvent } from '../event/event.js';

/** The span attributes of one partition (contract.md, "Tracing"). */
export const partitionAttributes = (p: Partition): Attributes => ({ 'projector.partition.world_id': p.worldId, 'projector.partition.branch': p.branch });

/** The span attributes of one delivered event. */
export const eventAttributes = (e: ProjectorEvent): Attributes => ({
  'projector.partition.world_id': e.partition.worldId,
  'projector.partition.branch': e.partition.branch,
  'projector.global_seq': e.globalSeq,
  'projector.kind': e.kind,
});
