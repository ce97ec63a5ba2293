/**
 * Token buckets by key, in memory: each key may spend `perMinute` tokens a minute, in bursts of up to that
 * many. Keys not seen for a while are dropped, so a flood of senders cannot grow it without bound.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Spends a token of `key`'s bucket; false when it is empty. */
  take(key: string, now: number): boolean {
    const refillPerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * refillPerMs)
      : this.perMinute;
    if (bucket) this.buckets.delete(key);
    else if (this.buckets.size >= this.maxKeys)
      this.buckets.delete(this.buckets.keys().next().value as string);
    // Re-inserted, so the map's order is least recently used first.
    const granted = tokens >= 1;
    this.buckets.set(key, { tokens: granted ? tokens - 1 : tokens, at: now });
    return granted;
  }
}
