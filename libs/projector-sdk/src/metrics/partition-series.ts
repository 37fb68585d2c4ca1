/**
 * Which partitions get series of their own (`projector_watermark`, `projector_lag_seconds`,
 * `projector_state_hash`): the first `max` seen, for the life of the process. Partitions are never
 * forgotten (watermark rows are not deleted), so the set only fills up; the rest are counted in
 * `projector_metrics_partitions_untracked` instead of labelled.
 */
export function partitionSeries(max: number) {
  const tracked = new Set<string>();
  return {
    /** True if the partition has series of its own, admitting it while there is room. */
    admit(worldId: string, branch: string): boolean {
      const key = `${worldId}/${branch}`;
      if (tracked.has(key)) return true;
      if (tracked.size >= max) return false;
      tracked.add(key);
      return true;
    },
    get size(): number {
      return tracked.size;
    },
  };
}
