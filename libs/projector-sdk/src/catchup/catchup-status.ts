/** What the catch-up loop last saw, for `/health`; one object per projector, written only by the loop. */
export interface CatchupStatus {
  /** A pass found partitions behind and is applying them. */
  catchingUp: boolean;
  /** Partitions found behind by the pass running (or the last one). */
  partitionsBehind: number;
  /** Events applied by catch-up since the process started. */
  eventsApplied: number;
  /** When the last complete pass ended. */
  lastPassAt: Date | undefined;
}

export const newCatchupStatus = (): CatchupStatus => ({ catchingUp: false, partitionsBehind: 0, eventsApplied: 0, lastPassAt: undefined });
