import { Type } from 'typebox';
import { validationError } from '../errors.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import { parseBbox } from '../reports/report-filters.js';
import type { Services } from '../services.js';
import { cellResolutions } from './cells.js';
import { colorScale } from './color-scales.js';
import { isQuantity, type Quantity, quantities, quantityNames } from './quantities.js';
import type { CellView } from './readings.service.js';

function quantityOf(raw: string | undefined): Quantity {
  const name = raw ?? 'radiation';
  if (!isQuantity(name))
    throw validationError('query/quantity', `must be one of ${quantityNames.join(', ')}`);
  return name;
}

function cellProperties(cell: CellView) {
  return {
    cell: cell.cell,
    resolution: cell.resolution,
    count: cell.count,
    mean: cell.mean,
    min: cell.min,
    max: cell.max,
    latest: cell.latestValue,
    latest_at: new Date(cell.latestMs).toISOString(),
  };
}

function cellFeature(cell: CellView) {
  return {
    type: 'Feature' as const,
    id: cell.cell,
    properties: cellProperties(cell),
    geometry: { type: 'Polygon' as const, coordinates: [cell.boundary] },
  };
}

/** The sensor map's reads: hexagons in a view, one hexagon's history, the quantities and their colours. */
export function sensorMapRoutes(app: TypedApp, services: Services): void {
  app.get(
    '/api/v1/sensors/quantities',
    {
      schema: {
        tags: ['sensors'],
        summary:
          'What sensors measure here: units, impossible-value limits, the map’s colour scale and how many readings are on the map',
      },
    },
    async () => {
      const mapped = await services.readings.mappedCounts();
      return {
        data: quantityNames.map((name) => ({
          name,
          label: quantities[name].label,
          unit: quantities[name].unit,
          min: quantities[name].min,
          max: quantities[name].max,
          color_scale: colorScale(name).map(([value, color]) => ({ value, color })),
          mapped_readings: mapped.get(name) ?? 0,
        })),
        resolutions: cellResolutions,
      };
    },
  );

  app.get(
    '/api/v1/sensors/cells',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Readings aggregated into H3 hexagons in a view, as GeoJSON (count, mean, min, max, latest)',
        description:
          'The resolution follows `zoom` (a web map’s zoom level) unless given. Hexagons are kept up to date ' +
          'as readings arrive and drive logs are approved. At most 20,000 hexagons; `truncated` says when there were more.',
        querystring: Type.Object({
          bbox: Type.String({ description: 'west,south,east,north in degrees' }),
          quantity: Type.Optional(Type.String({ description: 'radiation (default), pm2_5, …' })),
          zoom: Type.Optional(Type.Number({ minimum: 0, maximum: 24 })),
          resolution: Type.Optional(Type.Integer({ description: cellResolutions.join(', ') })),
        }),
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const quantity = quantityOf(request.query.quantity);
      const box = parseBbox(request.query.bbox);
      const { zoom, resolution } = request.query;
      const result = await services.readings.cells(quantity, box, {
        ...(zoom !== undefined ? { zoom } : {}),
        ...(resolution !== undefined ? { resolution } : {}),
      });
      reply.type('application/geo+json');
      return {
        type: 'FeatureCollection',
        quantity,
        unit: quantities[quantity].unit,
        resolution: result.resolution,
        truncated: result.truncated,
        features: result.cells.map(cellFeature),
      };
    },
  );

  app.get(
    '/api/v1/sensors/cells/:cell',
    {
      schema: {
        tags: ['sensors'],
        summary:
          'One hexagon: its aggregate, its daily values, and the devices and drives that passed through',
        params: Type.Object({ cell: Type.String({ minLength: 1, maxLength: 20 }) }),
        querystring: Type.Object({ quantity: Type.Optional(Type.String()) }),
        response: problemResponses,
      },
    },
    async (request) => {
      const detail = await services.readings.cell(quantityOf(request.query.quantity), request.params.cell);
      return {
        quantity: detail.quantity,
        unit: quantities[detail.quantity].unit,
        ...cellFeature(detail.cell),
        days: detail.days.map((day) => ({
          day: new Date(day.t).toISOString().slice(0, 10),
          count: day.count,
          mean: day.mean,
          max: day.max,
        })),
        sources: detail.sources.map((source) => ({
          device_id: source.deviceId,
          import_id: source.importId,
          count: source.count,
          latest_at: new Date(source.latestMs).toISOString(),
        })),
      };
    },
  );
}
