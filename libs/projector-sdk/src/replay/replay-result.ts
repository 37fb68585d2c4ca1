import type { GlobalSeq, Partition } from '../event/event.js';
import type { StateHash } from '../state/state-hash.js';

/** What a verification or a per-partition rebuild found for one partition. */
export interface ReplayResult {
  readonly partition: Partition;
  /** The watermark the log was replayed up to. */
  readonly watermark: GlobalSeq;
  readonly eventsReplayed: number;
  /** The live state's hash at `watermark` (recorded in `event_core.projector_state_hashes`, or read). */
  readonly liveHash: StateHash;
  readonly replayHash: StateHash;
  readonly equal: boolean;
  /** True when the live rows were replaced by the replayed ones (`replay --rebuild`). */
  readonly rebuilt: boolean;
}
