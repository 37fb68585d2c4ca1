/**
 * Gathers work submitted within a short window into one group, so that many concurrent requests
 * share one transaction and one fsync. Each submission keeps its own promise; how a group is run
 * (and how one failing member is kept from failing the others) is the runner's business.
 */
export interface GroupMember<I, O> {
  readonly input: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export interface GroupCommitOptions<I, O> {
  /** How long the first member of a group waits for company. */
  windowMs: number;
  /** A group this large is flushed at once. */
  maxGroupSize: number;
  /** Groups in flight at once (each holds one connection). */
  maxConcurrentGroups: number;
  /** Runs one group; must settle every member. */
  run(members: GroupMember<I, O>[]): Promise<void>;
}

export class GroupCommitter<I, O> {
  private pending: GroupMember<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = 0;

  constructor(private readonly options: GroupCommitOptions<I, O>) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length >= this.options.maxGroupSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  /** Members waiting for a group; the HTTP layer uses it to shed load. */
  get depth(): number {
    return this.pending.length;
  }

  /**
   * Starts groups while a slot is free. While every slot is busy, members keep gathering in one
   * pending list: the group that finishes starts the next one at once, so the slower the commits,
   * the larger the groups (that is the point of group commit).
   */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running < this.options.maxConcurrentGroups && this.pending.length > 0) {
      const group = this.pending.splice(0, this.options.maxGroupSize);
      this.running++;
      this.options
        .run(group)
        .catch((err: unknown) => group.forEach((m) => m.reject(err)))
        .finally(() => {
          this.running--;
          this.flush();
        });
    }
  }
}
