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

/** The ring with each longitude moved by ±360° to be within 180° of the previous one, and the net move. */
function unwrap(ring: Ring): { ring: Ring; shift: number } {
  let shift = 0;
  const out = ring.map((p, i) => {
    const previous = ring[i - 1];
    if (previous) {
      const step = p[0]! - previous[0]!;
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    return [p[0]! + shift, p[1]!];
  });
  return { ring: out, shift };
}

/**
 * Natural Earth rings are cut at ±180° for drawing on a sphere. Drawn flat, a ring that steps from 179.9° to
 * -180° draws a band across the whole world (Russia, Fiji), and Antarctica comes out inside-out. Rings that
 * cross the cut are made continuous instead (MapLibre wraps longitudes beyond 180°); a ring that goes all the
 * way round the Earth (Antarctica's coast) becomes its own polygon, closed over the pole.
 */
export function mendPolygon(rings: Ring[]): Ring[][] {
  const unwrapped = rings.map(unwrap);
  if (unwrapped.every((u) => u.shift === 0)) return [unwrapped.map((u) => u.ring)];
  const polygons: Ring[][] = [];
  for (const { ring, shift } of unwrapped) {
    if (shift === 0) continue;
    // A ring hugging the pole itself has no area worth drawing.
    if (ring.every((p) => Math.abs(p[1]!) >= 89.9)) continue;
    const pole = ring.reduce((sum, p) => sum + p[1]!, 0) < 0 ? -90 : 90;
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    polygons.push([[...ring, [last[0]!, pole], [first[0]!, pole], first]]);
  }
  return polygons;
}

function mendGeometry(geometry: { type: string; coordinates: unknown } | null) {
  if (!geometry) return geometry;
  const polygons =
    geometry.type === 'Polygon'
      ? mendPolygon(geometry.coordinates as Ring[])
      : geometry.type === 'MultiPolygon'
        ? (geometry.coordinates as Ring[][]).flatMap(mendPolygon)
        : undefined;
  if (!polygons) return geometry;
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0] }
    : { type: 'MultiPolygon', coordinates: polygons };
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
