/**
 * A fixed-window counter per key, in memory (login attempts: per process is enough to make
 * guessing slow; several `serve` processes each allow their own share). Old windows are swept
 * as keys are touched, so memory stays bounded by the keys seen in one window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, now: number): number {
    this.sweep(now);
    const window = this.windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return 0;
    }
    window.count += 1;
    return window.count > this.limit ? Math.ceil((window.start + this.windowMs - now) / 1000) : 0;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    if (this.windows.size < 1000) return;
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}

/**
 * At most `running` tasks at once and `waiting` more queued; anything beyond is refused at once
 * (sign-in: the password hash is the costly part, and a refused attempt never reaches it). Per
 * process, like {@link RateLimiter}.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly running: number,
    readonly waiting: number,
  ) {}

  /** Runs `task` when a slot is free; null (and `task` not run) when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) return null;
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return { value: await task() };
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
