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
  /** Sorted set of dead job ids; score = when the record expires. */
  dead(): string {
    return `${this.prefix}dead`;
  }
  /** Sharded pub/sub channel announcing finished job ids (space-separated). */
  finishedChannel(): string {
    return `${this.prefix}finished`;
  }
}
