import type { License } from '../config.js';
import type { PublicReportSummaryView } from '../reports/report-view.js';

/** What every export needs besides the reports: who publishes them, under which licence, how to name categories. */
export interface ExportContext {
  deploymentName: string;
  license: License;
  baseUrl: string;
  categoryNames: Map<string, string>;
  generatedAt: string;
  /** On a mirror, the deployment the data comes from: downloads name it as their source. */
  mirrorOf?: { origin: string; url: string } | null;
}

export interface ExportFormat {
  contentType: string;
  extension: string;
  begin(context: ExportContext): string;
  row(report: PublicReportSummaryView, context: ExportContext, first: boolean): string;
  end(context: ExportContext): string;
}

function categoryNames(report: PublicReportSummaryView, context: ExportContext): string[] {
  return report.categories.map((id) => context.categoryNames.get(id) ?? id);
}

function reportUrl(report: PublicReportSummaryView, context: ExportContext): string {
  return `${context.baseUrl}/api/v1/reports/${report.id}`;
}

// ---- CSV (RFC 4180), optionally with an HXL hashtag row under the header ----

const csvColumns: {
  header: string;
  hxl: string;
  value: (r: PublicReportSummaryView, c: ExportContext) => string | number | null;
}[] = [
  { header: 'id', hxl: '#meta +id', value: (r) => r.id },
  { header: 'title', hxl: '#description +title', value: (r) => r.title },
  { header: 'description', hxl: '#description', value: (r) => r.description },
  { header: 'latitude', hxl: '#geo +lat', value: (r) => r.location?.lat ?? null },
  { header: 'longitude', hxl: '#geo +lon', value: (r) => r.location?.lon ?? null },
  { header: 'location_name', hxl: '#loc +name', value: (r) => r.location_name },
  { header: 'occurred_at', hxl: '#date +occurred', value: (r) => r.occurred_at },
  { header: 'received_at', hxl: '#date +reported', value: (r) => r.received_at },
  { header: 'published_at', hxl: '#date +published', value: (r) => r.published_at },
  { header: 'categories', hxl: '#sector +list', value: (r, c) => categoryNames(r, c).join('; ') },
  { header: 'verification', hxl: '#status +verification', value: (r) => r.verification },
  { header: 'author_name', hxl: '#contact +name', value: (r) => r.author_name },
  { header: 'source', hxl: '#meta +source', value: (r) => r.source },
  { header: 'url', hxl: '#meta +url', value: (r, c) => reportUrl(r, c) },
  { header: 'license', hxl: '#meta +license', value: (_r, c) => c.license.id },
];

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // A leading = + - @ (or a tab/CR) would be run as a formula by spreadsheets: keep it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvFormat(withHxl: boolean): ExportFormat {
  return {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    begin: () =>
      `${csvColumns.map((c) => c.header).join(',')}\r\n${withHxl ? `${csvColumns.map((c) => c.hxl).join(',')}\r\n` : ''}`,
    row: (report, context) => `${csvColumns.map((c) => csvCell(c.value(report, context))).join(',')}\r\n`,
    end: () => '',
  };
}

// ---- GeoJSON (RFC 7946), licence as foreign members of the collection ----

export const geojsonFormat: ExportFormat = {
  contentType: 'application/geo+json; charset=utf-8',
  extension: 'geojson',
  begin: (context) =>
    `{"type":"FeatureCollection","name":${JSON.stringify(`${context.deploymentName} reports`)},` +
    `"license":${JSON.stringify({ id: context.license.id, name: context.license.name, url: context.license.url })},` +
    `"attribution":${JSON.stringify(`${context.deploymentName}, ${context.license.name}`)},` +
    `"generated_at":${JSON.stringify(context.generatedAt)},` +
    (context.mirrorOf
      ? `"mirror_of":${JSON.stringify({ origin: context.mirrorOf.origin, url: context.mirrorOf.url })},`
      : '') +
    '"features":[\n',
  row: (report, context, first) => {
    const feature = {
      type: 'Feature',
      id: report.id,
      geometry: report.location
        ? { type: 'Point', coordinates: [report.location.lon, report.location.lat] }
        : null,
      properties: {
        id: report.id,
        title: report.title,
        description: report.description,
        location_name: report.location_name,
        occurred_at: report.occurred_at,
        received_at: report.received_at,
        published_at: report.published_at,
        categories: report.categories,
        category_names: categoryNames(report, context),
        verification: report.verification,
        author_name: report.author_name,
        source: report.source,
        url: reportUrl(report, context),
      },
    };
    return `${first ? '' : ',\n'}${JSON.stringify(feature)}`;
  },
  end: () => '\n]}\n',
};

// ---- KML 2.2 ----

function xml(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
      // XML 1.0 forbids most control characters even when escaped; they carry nothing a reader needs.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

function kmlData(name: string, value: string | null): string {
  return value === null ? '' : `<Data name="${name}"><value>${xml(value)}</value></Data>`;
}

export const kmlFormat: ExportFormat = {
  contentType: 'application/vnd.google-earth.kml+xml; charset=utf-8',
  extension: 'kml',
  begin: (context) =>
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:atom="http://www.w3.org/2005/Atom">\n<Document>\n' +
    `<name>${xml(`${context.deploymentName} reports`)}</name>\n` +
    `<atom:link rel="license" href="${xml(context.license.url)}"/>\n` +
    (context.mirrorOf ? `<atom:link rel="via" href="${xml(context.mirrorOf.url)}"/>\n` : '') +
    `<description>${xml(`Published reports from ${context.deploymentName}, licensed under ${context.license.name} (${context.license.url}).${context.mirrorOf ? ` Copied from ${context.mirrorOf.url} (public record ${context.mirrorOf.origin}) by a mirror.` : ''} Generated ${context.generatedAt}.`)}</description>\n`,
  row: (report, context) => {
    if (!report.location) return '';
    return (
      `<Placemark id="report-${xml(report.id)}"><name>${xml(report.title)}</name>` +
      `<description>${xml(report.description)}</description>` +
      `<TimeStamp><when>${report.occurred_at}</when></TimeStamp>` +
      `<ExtendedData>${kmlData('location_name', report.location_name)}${kmlData('categories', categoryNames(report, context).join('; '))}` +
      `${kmlData('verification', report.verification)}${kmlData('url', reportUrl(report, context))}</ExtendedData>` +
      `<Point><coordinates>${report.location.lon},${report.location.lat}</coordinates></Point></Placemark>\n`
    );
  },
  end: () => '</Document>\n</kml>\n',
};
