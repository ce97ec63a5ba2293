/** Shapes of the Tally API v1 as the browser uses them. */

export type ReportStatus = 'pending' | 'published' | 'rejected' | 'archived';
export type Verification = 'unverified' | 'verified' | 'disputed';
export type Id = string | number;

export interface Location {
  lat: number;
  lon: number;
  name?: string | null;
  accuracy_m?: number | null;
}

export interface Report {
  id: Id;
  title: string;
  description?: string | null;
  occurred_at?: string | null;
  received_at?: string | null;
  categories?: Id[];
  location?: Location | null;
  /** Some views flatten the location; `reportLocation()` reads either form. */
  lat?: number | null;
  lon?: number | null;
  location_name?: string | null;
  author_name?: string | null;
  /** Only volunteers and up see it. */
  contact?: string | null;
  status?: ReportStatus;
  verification?: Verification;
  sensitivity?: 'exact' | 'coarse';
  revision?: number;
  updated_at?: string;
  published_at?: string | null;
  source?: string;
  url?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Category {
  id: Id;
  parent_id: Id | null;
  name: string;
  description?: string | null;
  color?: string | null;
  position?: number;
}

export interface License {
  id: string;
  name: string;
  url: string;
}

export interface SiteConfig {
  name: string;
  license: License;
  basemap: { tile_url: string | null; attribution: string | null };
  default_center: { lat: number; lon: number };
  default_zoom: number;
}

export interface Place {
  name: string;
  country: string;
  lat: number;
  lon: number;
  population?: number;
}

export interface User {
  id: Id;
  email: string;
  display_name: string | null;
  role: string;
}

/** A report's place as { lat, lon, name }, or null when it has no coordinates. */
export function reportLocation(report: Report): { lat: number; lon: number; name: string } | null {
  const name = report.location?.name ?? report.location_name ?? '';
  const lat = report.location?.lat ?? report.lat;
  const lon = report.location?.lon ?? report.lon;
  if (typeof lat !== 'number' || typeof lon !== 'number') return null;
  return { lat, lon, name };
}

export function placeName(report: Report): string {
  return report.location?.name ?? report.location_name ?? '';
}
