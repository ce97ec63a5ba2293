import { Type } from 'typebox';
import type { Config } from '../config.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import { ReportFilters } from '../reports/reports.schemas.js';
import type { Services } from '../services.js';
import { renderBatches, sendDownload } from './open-data-stream.js';
import { csvFormat, type ExportContext, geojsonFormat, kmlFormat } from './report-formats.js';

export function exportsRoutes(app: TypedApp, services: Services, config: Config): void {
  const formats = { csv: csvFormat, geojson: () => geojsonFormat, kml: () => kmlFormat } as const;

  app.get(
    '/api/v1/exports/reports.:format',
    {
      schema: {
        tags: ['open data'],
        summary: 'All published reports as CSV, GeoJSON or KML, streamed, with the licence named',
        params: Type.Object({
          format: Type.Union([Type.Literal('csv'), Type.Literal('geojson'), Type.Literal('kml')]),
        }),
        querystring: Type.Object(
          {
            ...ReportFilters.properties,
            hxl: Type.Optional(
              Type.Boolean({ description: 'CSV only: add an HXL hashtag row under the header' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const { hxl, ...filters } = request.query;
      const format = formats[request.params.format](hxl ?? false);
      const batches = await services.reports.openPublicExport(filters);
      const now = new Date();
      // A mirror's data is the origin's: its name, its licence, and where it came from.
      const mirror = await services.mirror.describe();
      const license = mirror?.license ?? config.reportsLicense;
      const context: ExportContext = {
        deploymentName: mirror?.name ?? config.name,
        license,
        baseUrl: config.publicUrl ?? `${request.protocol}://${request.host}`,
        categoryNames: new Map((await services.categories.list()).map((c) => [c.id, c.name])),
        generatedAt: now.toISOString(),
        mirrorOf: mirror ? { origin: mirror.origin, url: mirror.url } : null,
      };
      const stamp = now.toISOString().slice(0, 10);
      return sendDownload(
        request,
        reply,
        { name: `reports-${stamp}`, format, license, via: mirror?.url ?? null },
        renderBatches(batches, format, context),
      );
    },
  );
}
