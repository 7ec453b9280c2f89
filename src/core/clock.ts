import type { DateTime } from 'luxon';

/**
 * Where "now" comes from. The composition root (`src/app`) creates the one clock of a process —
 * the wall clock, or a simulated one — and hands it down; nothing below it reads the time itself.
 * A job that carries its own instant (`tick --as-of`) decides at that instant instead.
 */
export interface Clock {
  now(): DateTime;
}

/** A clock stopped at `at`: tests and simulated runs. */
export function fixedClock(at: DateTime): Clock {
  return { now: () => at };
}

/** `clock` in the `() => Date` shape that the services' dependencies take. */
export function dateOf(clock: Clock): () => Date {
  return () => clock.now().toJSDate();
}
