import { validationError } from '../errors.js';
import { parseBbox, parseTime } from '../reports/report-filters.js';
import { type CellResolution, cellResolutions, isCellResolution } from './cells.js';
import { isQuantity, type Quantity, quantityNames } from './quantities.js';
import type {
  CellAggregate,
  PublicReading,
  PublicReadingFilter,
  ReadingsRepository,
} from './readings.repository.js';

/** The readings exports' filters as they arrive in a query string. */
export interface ReadingExportParams {
  quantity?: string;
  device?: string;
  import?: string;
  bbox?: string;
  since?: string;
  until?: string;
}

export interface CellExportParams {
  quantity?: string;
  resolution?: number;
}

export interface CellExport {
  quantity: Quantity;
  resolution: CellResolution;
  batches: AsyncIterable<CellAggregate[]>;
}

/** Rows per page: large enough that a million readings take 200 queries, small enough to stay a few MB. */
export const exportBatchSize = 5_000;

function parseQuantity(raw: string): Quantity {
  if (!isQuantity(raw)) throw validationError('query/quantity', `must be one of ${quantityNames.join(', ')}`);
  return raw;
}

function readingFilter(params: ReadingExportParams): PublicReadingFilter {
  const filter: PublicReadingFilter = {};
  if (params.quantity !== undefined) filter.quantity = parseQuantity(params.quantity);
  if (params.device !== undefined) filter.deviceId = params.device;
  if (params.import !== undefined) filter.importId = params.import;
  if (params.bbox !== undefined) filter.box = parseBbox(params.bbox);
  if (params.since !== undefined) filter.fromMs = Date.parse(parseTime(params.since, 'query/since'));
  if (params.until !== undefined) {
    // `until` includes its own instant (a bare date, its whole day); the query's bound is exclusive.
    filter.toMs = Date.parse(parseTime(params.until, 'query/until', true)) + 1;
  }
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs >= filter.toMs) {
    throw validationError('query/until', 'must not be before since');
  }
  return filter;
}

/**
 * Pages through rows in key order, one query per page, never holding more than one page: the next page
 * is read only when the consumer asks for it, so a slow download slows the queries instead of filling memory.
 */
async function* keysetPages<Row, Key>(
  page: (after: Key, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  start: Key,
  batchSize: number,
): AsyncGenerator<Row[]> {
  let after = start;
  for (;;) {
    const rows = await page(after, batchSize);
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length < batchSize || last === undefined) return;
    after = keyOf(last);
  }
}

/**
 * The sensor data as open data: every public, flawless reading (approved drive logs and live readings),
 * and the H3 cell aggregates made of them. Filters are checked when an export is opened, so a bad one is
 * refused before the first byte of the file is sent.
 */
export class OpenDataService {
  constructor(private readonly readings: ReadingsRepository) {}

  openReadings(params: ReadingExportParams, batchSize = exportBatchSize): AsyncIterable<PublicReading[]> {
    const filter = readingFilter(params);
    return keysetPages(
      (afterId: number, limit) => this.readings.publicPage(filter, afterId, limit),
      (reading) => reading.id,
      0,
      batchSize,
    );
  }

  openCells(params: CellExportParams, batchSize = exportBatchSize): CellExport {
    const quantity = parseQuantity(params.quantity ?? 'radiation');
    const resolution = params.resolution ?? 7;
    if (!isCellResolution(resolution))
      throw validationError('query/resolution', `must be one of ${cellResolutions.join(', ')}`);
    return {
      quantity,
      resolution,
      batches: keysetPages(
        (afterCell: string, limit) => this.readings.cellPage(quantity, resolution, afterCell, limit),
        (cell) => cell.cell,
        '',
        batchSize,
      ),
    };
  }
}
