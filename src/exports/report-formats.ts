import type { PublicReportSummaryView } from '../reports/report-view.js';
import {
  type CsvColumn,
  csvTable,
  featureCollectionEnd,
  featureCollectionStart,
  featureLine,
  type OpenDataContext,
  type StreamFormat,
} from './open-data-stream.js';

/** What every report export needs besides the reports: where they live, how to name categories. */
export interface ExportContext extends OpenDataContext {
  baseUrl: string;
  categoryNames: Map<string, string>;
}

export type ExportFormat = StreamFormat<PublicReportSummaryView, ExportContext>;

function categoryNames(report: PublicReportSummaryView, context: ExportContext): string[] {
  return report.categories.map((id) => context.categoryNames.get(id) ?? id);
}

function reportUrl(report: PublicReportSummaryView, context: ExportContext): string {
  return `${context.baseUrl}/api/v1/reports/${report.id}`;
}

// ---- CSV (RFC 4180), optionally with an HXL hashtag row under the header ----

const csvColumns: CsvColumn<PublicReportSummaryView, ExportContext>[] = [
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

export function csvFormat(withHxl: boolean): ExportFormat {
  return csvTable(csvColumns, withHxl);
}

// ---- GeoJSON (RFC 7946), licence as foreign members of the collection ----

export const geojsonFormat: ExportFormat = {
  contentType: 'application/geo+json; charset=utf-8',
  extension: 'geojson',
  begin: (context) => featureCollectionStart(`${context.deploymentName} reports`, context),
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
    return featureLine(feature, first);
  },
  end: () => featureCollectionEnd,
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
