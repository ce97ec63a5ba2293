import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

/** Where the offline world outline is served from, relative to the site root. */
export const BASEMAP_PATH = 'basemap/countries.geojson';

interface TopoJsonClient {
  feature(topology: unknown, object: unknown): { type: string; features: Array<Record<string, unknown>> };
}

const require = createRequire(import.meta.url);

type Ring = number[][];

/**
 * Natural Earth rings are cut at ±180° for spherical rendering; drawn flat, a ring that steps from 179.9° to
 * -180° draws a line across the whole world (Russia, Fiji). Such rings are made continuous instead (MapLibre
 * wraps longitudes beyond 180°); a ring that goes all the way round (Antarctica) is closed over the pole.
 */
export function mendAntimeridian(ring: Ring): Ring {
  if (!ring.some((p, i) => i > 0 && Math.abs(p[0]! - ring[i - 1]![0]!) > 180)) return ring;
  let shift = 0;
  const unwrapped = ring.map((p, i) => {
    if (i > 0) {
      const step = p[0]! + shift - (ring[i - 1]![0]! + shift);
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    return [p[0]! + shift, p[1]!];
  });
  if (shift === 0) return unwrapped;
  const pole = ring.reduce((sum, p) => sum + p[1]!, 0) < 0 ? -90 : 90;
  const out: Ring = [];
  ring.forEach((p, i) => {
    const previous = ring[i - 1];
    if (previous && Math.abs(p[0]! - previous[0]!) > 180) {
      const from = Math.sign(previous[0]!) * 180;
      out.push([from, previous[1]!], [from, pole], [-from, pole], [-from, p[1]!]);
    }
    out.push(p);
  });
  return out;
}

function mendGeometry(geometry: { type: string; coordinates: unknown } | null) {
  if (!geometry) return geometry;
  if (geometry.type === 'Polygon') {
    return { ...geometry, coordinates: (geometry.coordinates as Ring[]).map(mendAntimeridian) };
  }
  if (geometry.type === 'MultiPolygon') {
    return {
      ...geometry,
      coordinates: (geometry.coordinates as Ring[][]).map((rings) => rings.map(mendAntimeridian)),
    };
  }
  return geometry;
}

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
    geometry: mendGeometry(f.geometry as { type: string; coordinates: unknown } | null),
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
