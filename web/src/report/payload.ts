import { localInputToIso } from '../shared/format';

/** What the reporter typed, as strings: what is saved and put back into the form. */
export interface FormValues {
  title: string;
  description: string;
  categories: string[];
  occurred_at: string;
  location_name: string;
  lat: string;
  lon: string;
  /** Metres, when the coordinates came from the device's location. */
  accuracy_m?: number;
  author_name: string;
  contact: string;
  /** Shown only as a neighbourhood, and its place name kept from the public. */
  sensitive?: boolean;
}

/** The JSON body of `POST /api/v1/reports`. */
export interface ReportBody {
  title: string;
  description?: string;
  categories?: string[];
  occurred_at?: string;
  location?: { lat: number; lon: number; accuracy_m?: number };
  location_name?: string;
  sensitivity?: 'coarse';
  author_name?: string;
  contact?: string;
}

export function toBody(values: FormValues): ReportBody {
  const body: ReportBody = { title: values.title.trim() };
  const text = (value: string) => value.trim() || undefined;
  body.description = text(values.description);
  if (values.categories.length > 0) body.categories = values.categories;
  body.occurred_at = localInputToIso(values.occurred_at);
  const name = text(values.location_name);
  if (values.lat.trim() !== '' && values.lon.trim() !== '') {
    body.location = { lat: Number(values.lat), lon: Number(values.lon) };
    if (values.accuracy_m !== undefined) body.location.accuracy_m = Math.round(values.accuracy_m);
  }
  body.location_name = name;
  if (values.sensitive) body.sensitivity = 'coarse';
  body.author_name = text(values.author_name);
  body.contact = text(values.contact);
  for (const key of Object.keys(body) as (keyof ReportBody)[]) {
    if (body[key] === undefined) delete body[key];
  }
  return body;
}

/**
 * Maps a field named by the API (`title`, `location.lat`, `/location/lat`, `body/categories/0`, …) to the id
 * of the form control that shows its message.
 */
export function fieldFor(apiField: string): string | undefined {
  const path = apiField
    .replace(/^\/?(body[./])?/, '')
    .replace(/\//g, '.')
    .replace(/\[\d+\]|\.\d+/g, '');
  const map: Record<string, string> = {
    title: 'title',
    description: 'description',
    categories: 'category',
    category: 'category',
    occurred_at: 'occurred_at',
    location: 'lat',
    'location.lat': 'lat',
    lat: 'lat',
    'location.lon': 'lon',
    lon: 'lon',
    'location.name': 'location_name',
    location_name: 'location_name',
    author_name: 'author_name',
    contact: 'contact',
  };
  return map[path];
}
