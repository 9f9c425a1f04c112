/**
 * Every Redis key and channel name jobcraft uses, built here and nowhere else.
 * All share the hash tag `{<namespace>}`, so one namespace lives in one Cluster slot and any
 * script can touch any of its keys; spread load over Cluster nodes with several namespaces.
 * @internal
 */
export class Keys {
  /** `jobcraft:{<namespace>}:` */
  readonly prefix: string;

  constructor(readonly namespace: string) {
    this.prefix = `jobcraft:{${namespace}}:`;
  }

  /** Hash holding one job's record. */
  job(id: string): string {
    return `${this.prefix}j:${id}`;
  }
  /** List of ready job ids of one name (LPUSH in, RPOP out). */
  ready(name: string): string {
    return `${this.prefix}q:${name}`;
  }
  /** Sorted set of delayed, retrying and prioritised job ids of one name; score = due ms (or −priority). */
  schedule(name: string): string {
    return `${this.prefix}z:${name}`;
  }
  /** Sorted set of leases on running jobs of one name; member `id|token`, score = lease deadline ms. */
  lease(name: string): string {
    return `${this.prefix}l:${name}`;
  }
  /** Sorted set used to wake idle workers of one name (BZPOPMIN). */
  marker(name: string): string {
    return `${this.prefix}m:${name}`;
  }
  /** String holding the id of the unfinished job that owns a unique key. */
  unique(name: string, key: string): string {
    return `${this.prefix}u:${name}:${key}`;
  }
  /** What every unique key starts with (a record naming any other key is corrupt). */
  uniquePrefix(): string {
    return `${this.prefix}u:`;
  }
  /** Hash of one periodic entry's state: spec, last tick fired, its job, who fired it. */
  entry(name: string): string {
    return `${this.prefix}s:${name}`;
  }
  /** Sorted set of periodic entry names; score = when an instance last registered the entry (ms). */
  entries(): string {
    return `${this.prefix}entries`;
  }
  /**
   * Sorted set of the finished jobs of one name in one final state (`c` completed, `d` dead, `x` cancelled);
   * score = when the record expires, so expired members are trimmed by score and the newest come last.
   */
  finished(name: string, state: 'c' | 'd' | 'x'): string {
    return `${this.prefix}${state}:${name}`;
  }
  /** Set of the job names seen in this namespace. */
  names(): string {
    return `${this.prefix}names`;
  }
  /** Set of the job names whose pickup is paused. */
  paused(): string {
    return `${this.prefix}paused`;
  }
  /** Sorted set of worker pool ids; score = when the pool last reported (ms). */
  workers(): string {
    return `${this.prefix}workers`;
  }
  /** String (JSON) a worker pool reports about itself; expires two leases after its last report. */
  worker(id: string): string {
    return `${this.prefix}w:${id}`;
  }
  /** List of a periodic entry's recent ticks, newest first. */
  tickHistory(entry: string): string {
    return `${this.prefix}th:${entry}`;
  }
  /** String of one job name's stats in one time bucket (`m` minute or `h` hour, starting at `at` ms). */
  stats(name: string, unit: 'm' | 'h', at: number): string {
    return `${this.prefix}st:${name}:${unit}:${at}`;
  }
  /** Sharded pub/sub channel announcing cancelled job ids (to the workers running them). */
  cancelChannel(): string {
    return `${this.prefix}cancel`;
  }
  /** Sharded pub/sub channel announcing finished job ids (space-separated). */
  finishedChannel(): string {
    return `${this.prefix}finished`;
  }
}
