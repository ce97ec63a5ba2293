/** An inbound message as a gateway hands it over, before anything is made of it. */
export interface InboundMessage {
  /** The provider's id for the message: a retry carries the same one, so it is stored once. */
  providerId: string;
  /** The sender as the provider wrote it (a phone number, an address). */
  from: string;
  /** The number or address it was sent to, when the provider says. */
  to: string | null;
  text: string;
  /** When the sender's phone or the provider says it was sent (ISO 8601), when it says. */
  sentAt: string | null;
  /** Links to pictures and other media sent with it. */
  media: string[];
}

/** Form fields as parsed from a body or a query: a name sent more than once gives an array. */
export type FormFields = Record<string, string | string[] | undefined>;

/**
 * One value of a field: the first when it was sent more than once. A NUL character becomes U+FFFD, as any
 * unreadable character: PostgreSQL's text cannot hold it, and no id Tally handed out contains one.
 */
export function field(form: FormFields, name: string): string | undefined {
  const value = form[name];
  return (Array.isArray(value) ? value[0] : value)?.replaceAll('\u0000', '\ufffd');
}

/**
 * A time as SMS gateways write it: `2026-11-26 06:12:00` (Kannel, Vonage, Africa's Talking), with a `T` or
 * (Kannel, from a URL) a `+` between date and time, seconds and their fractions optional, and a zone
 * optional: without one it is UTC. The answer is ISO 8601, or null when it is no real time.
 */
export function gatewayTime(value: string): string | null {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})[ T+](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      value.trim(),
    );
  if (!match) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0] = match.slice(1, 6).map(Number);
  const second = Number(match[6] ?? 0);
  const millis = Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3));
  if (hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const calendar = new Date(utc);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  const zone = match[8];
  if (!zone || zone === 'Z') return calendar.toISOString();
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return new Date(utc - sign * offsetMinutes * 60_000).toISOString();
}
