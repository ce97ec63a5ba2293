import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

/** Where the offline world outline is served from, relative to the site root. */
export const BASEMAP_PATH = 'basemap/countries.geojson';

interface TopoJsonClient {
  feature(topology: unknown, object: unknown): { type: string; features: Array<Record<string, unknown>> };
}

const require = createRequire(import.meta.url);

/**
 * Natural Earth country outlines (1:50m, from the world-atlas package) turned into GeoJSON at build time, so
 * that the map has a basemap without any network access. Coordinates are rounded to 0.01° (about 1 km),
 * which is finer than the 1:50m source and keeps the file near 1.5 MB (0.4 MB gzipped).
 */
function buildCountries(): string {
  const topojson = require('topojson-client') as TopoJsonClient;
  const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as {
    objects: { countries: unknown };
  };
  const collection = topojson.feature(topology, topology.objects.countries);
  const features = collection.features.map((f) => ({
    type: 'Feature',
    properties: { name: (f.properties as { name?: string } | undefined)?.name ?? '' },
    geometry: f.geometry,
  }));
  return JSON.stringify({ type: 'FeatureCollection', features }, (_key, value: unknown) =>
    typeof value === 'number' ? Math.round(value * 100) / 100 : value,
  );
}

export function basemap(): Plugin {
  let cached: string | undefined;
  const source = () => {
    cached ??= buildCountries();
    return cached;
  };
  return {
    name: 'tally-basemap',
    configureServer(server) {
      server.middlewares.use(`/${BASEMAP_PATH}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/geo+json');
        res.end(source());
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use(`/${BASEMAP_PATH}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/geo+json');
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: BASEMAP_PATH, source: source() });
    },
  };
}
