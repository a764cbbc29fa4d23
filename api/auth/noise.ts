/**
 * What anonymous callers can make us write. Refused anonymous requests (bad webhook signatures,
 * unknown sign-ins) are worth an audit row and a log line, but not one per request from a flood: per
 * source and kind, the first `limit` in a window are written, then one note that more were dropped.
 */
export type Admission = 'record' | 'first_suppressed' | 'suppressed';

export class NoiseLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 60_000,
    /** Bounds memory under a flood from many addresses; the oldest windows are dropped first. */
    private readonly maxKeys = 10_000,
  ) {}

  admit(key: string, nowMs: number): Admission {
    let w = this.windows.get(key);
    if (!w || nowMs - w.start >= this.windowMs) {
      this.windows.delete(key);
      w = { start: nowMs, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    w.count++;
    if (w.count <= this.limit) return 'record';
    return w.count === this.limit + 1 ? 'first_suppressed' : 'suppressed';
  }
}

const perApp = new WeakMap<object, { audit: NoiseLimiter; log: NoiseLimiter }>();

/** One pair of limiters per app (keyed by its config object), so test apps do not share counts. */
export function noiseFor(owner: object): { audit: NoiseLimiter; log: NoiseLimiter } {
  let n = perApp.get(owner);
  if (!n) perApp.set(owner, (n = { audit: new NoiseLimiter(), log: new NoiseLimiter(20) }));
  return n;
}
