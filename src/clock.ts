/** Injected wherever "now" matters, so tests can pin time without touching globals. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The one timestamp format stored and served: RFC 3339 UTC with milliseconds. */
export function toTimestamp(date: Date): string {
  return date.toISOString();
}
