const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** `<input type="datetime-local">` value (local time, no zone) → RFC 3339 UTC, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** RFC 3339 → value for `<input type="datetime-local">` in the browser's time zone. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function excerpt(text: string | null | undefined, max = 160): string {
  if (!text) return '';
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function formatCoordinate(value: number | null | undefined): string {
  return typeof value === 'number' ? value.toFixed(5) : '';
}

const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** `first – last`, naming the date once when both fall on the same day. */
export function formatTimeSpan(first: string, last: string): string {
  const start = new Date(first);
  const end = new Date(last);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${first} – ${last}`;
  const sameDay = start.toDateString() === end.toDateString();
  return `${dateTime.format(start)} – ${sameDay ? timeOnly.format(end) : dateTime.format(end)}`;
}
