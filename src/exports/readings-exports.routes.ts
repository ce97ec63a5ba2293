import { Type } from 'typebox';
import type { Config } from '../config.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import { cellResolutions } from '../sensors/cells.js';
import { quantityNames } from '../sensors/quantities.js';
import type { Services } from '../services.js';
import { type OpenDataContext, renderBatches, sendDownload } from './open-data-stream.js';
import {
  cellsCsvFormat,
  cellsGeojsonFormat,
  readingsCsvFormat,
  readingsGeojsonFormat,
} from './readings-formats.js';

const Format = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('geojson')]) });

const Hxl = Type.Optional(Type.Boolean({ description: 'CSV only: add an HXL hashtag row under the header' }));

const ReadingFilters = Type.Object(
  {
    quantity: Type.Optional(Type.String({ description: `One of ${quantityNames.join(', ')}` })),
    device: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A device id' })),
    import: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A drive-log import id' })),
    bbox: Type.Optional(Type.String({ description: 'west,south,east,north in degrees' })),
    since: Type.Optional(Type.String({ description: 'Captured at or after: RFC 3339, or a date' })),
    until: Type.Optional(
      Type.String({ description: 'Captured at or before: RFC 3339, or a date (all of it)' }),
    ),
    hxl: Hxl,
    extra_columns: Type.Optional(
      Type.Boolean({
        description:
          "CSV only: after Safecast's columns, add Quantity, Quantity Value, Quantity Unit (before the License column)",
      }),
    ),
  },
  { additionalProperties: false },
);

const CellFilters = Type.Object(
  {
    quantity: Type.Optional(
      Type.String({ description: `One of ${quantityNames.join(', ')}; radiation if absent` }),
    ),
    resolution: Type.Optional(
      Type.Integer({ description: `H3 resolution, one of ${cellResolutions.join(', ')}; 7 if absent` }),
    ),
    hxl: Hxl,
  },
  { additionalProperties: false },
);

function dayStamp(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Sensor readings and their H3 aggregates as open data under the readings licence (CC0 by default, as
 * Safecast publishes), streamed page by page at any size.
 */
export function readingsExportsRoutes(app: TypedApp, services: Services, config: Config): void {
  const license = config.readingsLicense;
  const contextAt = (now: Date): OpenDataContext => ({
    deploymentName: config.name,
    license,
    generatedAt: now.toISOString(),
  });

  app.get(
    '/api/v1/exports/readings.:format',
    {
      schema: {
        tags: ['open data'],
        summary:
          "Every public, flawless sensor reading as CSV (Safecast's columns) or GeoJSON, streamed, with the licence named",
        description:
          'Approved drive logs and live readings with a GPS position and valid counts. CSV columns: ' +
          '`Captured Time,Latitude,Longitude,Value,Unit,Location Name,Device ID,MD5Sum,Height,Surface,Radiation,Uploaded Time,Loader ID`; ' +
          'times as `2011-12-08 18:16:20 UTC`; radiation with counts as CPM with the unit `cpm`, other values in their ' +
          "quantity's unit; MD5Sum is the drive log's MD5, Loader ID the import id.",
        params: Format,
        querystring: ReadingFilters,
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const { hxl, extra_columns: extraColumns, ...filters } = request.query;
      const batches = services.openData.openReadings(filters);
      const format =
        request.params.format === 'csv'
          ? readingsCsvFormat({ hxl: hxl ?? false, extraColumns: extraColumns ?? false })
          : readingsGeojsonFormat;
      const now = new Date();
      return sendDownload(
        request,
        reply,
        { name: `readings-${dayStamp(now)}`, format, license },
        renderBatches(batches, format, contextAt(now)),
      );
    },
  );

  app.get(
    '/api/v1/exports/cells.:format',
    {
      schema: {
        tags: ['open data'],
        summary:
          'The H3 cell aggregates of one quantity at one resolution as CSV or GeoJSON hexagons, streamed, with the licence named',
        params: Format,
        querystring: CellFilters,
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const { hxl, ...params } = request.query;
      const { quantity, resolution, batches } = services.openData.openCells(params);
      const format =
        request.params.format === 'csv' ? cellsCsvFormat({ hxl: hxl ?? false }) : cellsGeojsonFormat;
      const now = new Date();
      return sendDownload(
        request,
        reply,
        { name: `cells-${quantity}-r${resolution}-${dayStamp(now)}`, format, license },
        renderBatches(batches, format, { ...contextAt(now), quantity, resolution }),
      );
    },
  );
}
