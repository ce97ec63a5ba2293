import { Type } from 'typebox';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { MirrorInfo } from '../mirror/mirror-info.js';
import { version } from '../version.js';
import type { TypedApp } from './typed-app.js';

export function systemRoutes(app: TypedApp, config: Config, db: Db, mirror: MirrorInfo): void {
  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Is Tally up, and on which database',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
            version: Type.String(),
          }),
        },
      },
    },
    () => ({ status: 'ok' as const, database: db.dialect, version }),
  );

  app.get(
    '/api/v1/config',
    {
      schema: {
        tags: ['system'],
        summary: 'What the web app needs to know about this deployment',
        response: {
          200: Type.Object({
            name: Type.String(),
            license: Type.Object({ id: Type.String(), name: Type.String(), url: Type.String() }),
            basemap: Type.Object({
              tile_url: Type.Union([Type.String(), Type.Null()]),
              attribution: Type.Union([Type.String(), Type.Null()]),
            }),
            default_center: Type.Object({ lat: Type.Number(), lon: Type.Number() }),
            default_zoom: Type.Number(),
            self_review_allowed: Type.Boolean({
              description:
                "Whether one may publish or reject one's own report and approve or reject one's own drive log (TALLY_ALLOW_SELF_REVIEW); otherwise another volunteer must",
            }),
            mirror_of: Type.Union(
              [
                Type.Object({
                  origin: Type.String({ description: "The origin's log, as its checkpoints name it" }),
                  url: Type.String(),
                  synced_at: Type.Union([Type.String(), Type.Null()]),
                }),
                Type.Null(),
              ],
              { description: 'On a read-only mirror, the deployment it copies; null otherwise' },
            ),
          }),
        },
      },
    },
    async () => {
      // A mirror shows the origin's name and the licence the origin publishes its data under.
      const source = await mirror.describe();
      return {
        name: source?.name ?? config.name,
        license: source?.license ?? config.reportsLicense,
        basemap: { tile_url: config.basemapTileUrl, attribution: config.basemapAttribution },
        default_center: config.defaultCenter,
        default_zoom: config.defaultZoom,
        self_review_allowed: config.allowSelfReview,
        mirror_of: source ? { origin: source.origin, url: source.url, synced_at: source.syncedAt } : null,
      };
    },
  );
}
