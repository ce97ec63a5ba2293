import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { License } from '../config.js';

/** What every open-data file says about itself: who publishes it, under which licence, when it was made. */
export interface OpenDataContext {
  deploymentName: string;
  license: License;
  generatedAt: string;
  /** On a mirror, the deployment the data comes from: downloads name it as their source. */
  mirrorOf?: { origin: string; url: string } | null;
}

/** A file format written row by row, so a download of any size is never held whole in memory. */
export interface StreamFormat<Item, Context> {
  contentType: string;
  extension: string;
  begin(context: Context): string;
  row(item: Item, context: Context, first: boolean): string;
  end(context: Context): string;
}

export async function* renderBatches<Item, Context>(
  batches: AsyncIterable<readonly Item[]>,
  format: StreamFormat<Item, Context>,
  context: Context,
): AsyncGenerator<string> {
  yield format.begin(context);
  let first = true;
  for await (const batch of batches) {
    // One chunk per batch: fewer, larger writes, and the stream's backpressure still paces the database.
    let chunk = '';
    for (const item of batch) {
      chunk += format.row(item, context, first);
      first = false;
    }
    yield chunk;
  }
  yield format.end(context);
}

// ---- CSV (RFC 4180), optionally with an HXL hashtag row under the header ----

export interface CsvColumn<Item, Context> {
  header: string;
  hxl: string;
  value: (item: Item, context: Context) => string | number | null;
}

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // A leading = + - @ (or a tab/CR) would be run as a formula by spreadsheets: keep it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvTable<Item, Context>(
  columns: readonly CsvColumn<Item, Context>[],
  withHxl: boolean,
): StreamFormat<Item, Context> {
  return {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    begin: () =>
      `${columns.map((c) => c.header).join(',')}\r\n${withHxl ? `${columns.map((c) => c.hxl).join(',')}\r\n` : ''}`,
    row: (item, context) => `${columns.map((c) => csvCell(c.value(item, context))).join(',')}\r\n`,
    end: () => '',
  };
}

// ---- GeoJSON (RFC 7946), licence as foreign members of the collection ----

/** A FeatureCollection up to the opening of its `features` array, naming its licence and source. */
export function featureCollectionStart(title: string, context: OpenDataContext): string {
  return (
    `{"type":"FeatureCollection","name":${JSON.stringify(title)},` +
    `"license":${JSON.stringify({ id: context.license.id, name: context.license.name, url: context.license.url })},` +
    `"attribution":${JSON.stringify(`${context.deploymentName}, ${context.license.name}`)},` +
    `"generated_at":${JSON.stringify(context.generatedAt)},` +
    (context.mirrorOf
      ? `"mirror_of":${JSON.stringify({ origin: context.mirrorOf.origin, url: context.mirrorOf.url })},`
      : '') +
    '"features":[\n'
  );
}

/** One feature of a collection begun by `featureCollectionStart`, comma-separated from the one before. */
export function featureLine(feature: object, first: boolean): string {
  return `${first ? '' : ',\n'}${JSON.stringify(feature)}`;
}

export const featureCollectionEnd = '\n]}\n';

// ---- HTTP ----

export interface Download {
  /** The file name without its extension, e.g. `reports-2026-11-25`. */
  name: string;
  format: { contentType: string; extension: string };
  license: License;
  /** Where the data was copied from, on a mirror. */
  via?: string | null;
}

/**
 * Sends the chunks as a download that names its licence in the headers. The stream is byte-oriented with a
 * small high-water mark, so at most about one batch waits in memory while a slow client reads.
 */
export function sendDownload(
  request: FastifyRequest,
  reply: FastifyReply,
  download: Download,
  chunks: AsyncIterable<string>,
): FastifyReply {
  const stream = Readable.from(chunks, { objectMode: false });
  stream.on('error', (error) => request.log.error({ err: error }, 'export stopped part-way'));
  const via = download.via ? `, <${download.via}>; rel="via"` : '';
  return reply
    .type(download.format.contentType)
    .header('content-disposition', `attachment; filename="${download.name}.${download.format.extension}"`)
    .header('link', `<${download.license.url}>; rel="license"${via}`)
    .header('x-license', download.license.id)
    .send(stream);
}
