import type { Actor } from '../accounts/roles.js';
import type { Category } from '../categories/categories.repository.js';
import { TallyError } from '../errors.js';
import type { Services } from '../services.js';

/** The plain-HTML report form: what a phone without JavaScript posts to `POST /report`. */
export type FormFields = Record<string, string | string[] | undefined>;

export interface FormOutcome {
  ok: boolean;
  messages: string[];
  reportId?: string;
}

function single(form: FormFields, name: string): string {
  const value = form[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

function many(form: FormFields, name: string): string[] {
  const value = form[name];
  return (Array.isArray(value) ? value : value ? [value] : []).map((v) => v.trim()).filter(Boolean);
}

/** `2026-11-25T14:30` from a datetime-local input, read in the deployment's time zone. */
export function localTimeToUtc(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return null;
  // Seconds are optional (a datetime-local input leaves them out): absent means 0, not NaN.
  const [, y, mo, d, h, mi, s] = match.map((part) => Number(part ?? 0)) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  // Date.UTC rolls 30 February over into March and 25:00 into the next day: refuse what does not exist.
  const read = new Date(asUtc);
  const fields = [read.getUTCFullYear(), read.getUTCMonth() + 1, read.getUTCDate()];
  fields.push(read.getUTCHours(), read.getUTCMinutes(), read.getUTCSeconds());
  if (fields.join() !== [y, mo, d, h, mi, s].join()) return null;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  // The zone's offset at an instant, from how Intl writes that instant there.
  const offsetAt = (instant: number) => {
    const parts = format.formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const shown = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return shown - instant;
  };
  // The offset at the typed time read as UTC is off by an hour when a clock change falls between that
  // and the real instant; the offset at the first guess is the right one.
  const guess = asUtc - offsetAt(asUtc);
  return new Date(asUtc - offsetAt(guess)).toISOString();
}

function number(text: string): number | null {
  if (text === '') return null;
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) ? value : Number.NaN;
}

export async function submitReportForm(
  services: Services,
  actor: Actor,
  form: FormFields,
  timeZone: string,
): Promise<FormOutcome> {
  const messages: string[] = [];
  const title = single(form, 'title');
  if (!title) messages.push('Please give your report a title.');
  const lat = number(single(form, 'lat'));
  const lon = number(single(form, 'lon'));
  const locationName = single(form, 'location_name');
  let location: { lat: number; lon: number } | null = null;
  if (lat !== null || lon !== null) {
    if (
      lat === null ||
      lon === null ||
      Number.isNaN(lat) ||
      Number.isNaN(lon) ||
      Math.abs(lat) > 90 ||
      Math.abs(lon) > 180
    ) {
      messages.push(
        'Latitude must be between -90 and 90 and longitude between -180 and 180, or leave both empty.',
      );
    } else {
      location = { lat, lon };
    }
  } else if (locationName) {
    const [best] = services.places.search(locationName, 1);
    if (best) location = { lat: best.lat, lon: best.lon };
  }
  const occurredText = single(form, 'occurred_at');
  const occurredAt = occurredText ? localTimeToUtc(occurredText, timeZone) : null;
  if (occurredText && !occurredAt) messages.push('The date and time could not be read; use the date picker.');
  if (messages.length > 0) return { ok: false, messages };
  try {
    const report = await services.reports.create(
      actor,
      {
        title,
        description: single(form, 'description'),
        location,
        location_name: locationName || null,
        ...(single(form, 'sensitivity') === 'coarse' ? { sensitivity: 'coarse' as const } : {}),
        ...(occurredAt ? { occurred_at: occurredAt } : {}),
        categories: many(form, 'category'),
        author_name: single(form, 'author_name') || null,
        contact: single(form, 'contact') || null,
      },
      'web',
    );
    return { ok: true, messages: [], reportId: report.id };
  } catch (error) {
    if (error instanceof TallyError && error.status < 500) {
      return {
        ok: false,
        messages: error.errors?.map((e) => `${e.field.replace(/^\//, '')}: ${e.message}`) ?? [error.message],
      };
    }
    throw error;
  }
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Category options, children indented under their parents. */
export function categoryOptions(categories: Category[], selected: string[]): string {
  const lines: string[] = [];
  const walk = (parentId: string | null, depth: number) => {
    for (const category of categories.filter((c) => c.parentId === parentId)) {
      const isSelected = selected.includes(category.id) ? ' selected' : '';
      lines.push(
        `<option value="${escapeHtml(category.id)}"${isSelected}>${'\u00a0\u00a0'.repeat(depth)}${escapeHtml(category.name)}</option>`,
      );
      walk(category.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines.join('');
}

/** Puts the submitted values back into the form, so a mistake costs the reporter nothing already typed. */
export function fillValues(html: string, form: FormFields): string {
  let filled = html;
  for (const [name, raw] of Object.entries(form)) {
    if (name === 'category' || raw === undefined) continue;
    const value = escapeHtml(Array.isArray(raw) ? (raw[0] ?? '') : raw);
    const nameAttr = `name="${name.replace(/[^\w-]/g, '')}"`;
    filled = filled.replace(
      new RegExp(`<input([^>]*\\b${nameAttr}[^>]*?)(/?)>`),
      (_m, attrs: string, slash: string) =>
        // A box keeps its own value and is ticked again when it was sent ticked.
        /\stype="checkbox"/.test(attrs)
          ? `<input${attrs.replace(/\schecked\b/, '')}${attrs.includes(`value="${value}"`) ? ' checked' : ''}${slash}>`
          : `<input${attrs.replace(/\svalue="[^"]*"/, '')} value="${value}"${slash}>`,
    );
    filled = filled.replace(
      new RegExp(`(<textarea[^>]*\\b${nameAttr}[^>]*>)[\\s\\S]*?</textarea>`),
      (_m, open: string) => `${open}${value}</textarea>`,
    );
  }
  return filled;
}
