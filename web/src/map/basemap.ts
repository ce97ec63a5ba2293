import type { StyleSpecification } from 'maplibre-gl';
import type { SiteConfig } from '../types';

/** Built by the basemap plugin in vite.config.ts from Natural Earth data (world-atlas). */
export const COUNTRIES_URL = '/basemap/countries.geojson';

export const colors = {
  water: '#cadde6',
  land: '#f3f0e8',
  border: '#a8a191',
  coast: '#8ea7b3',
} as const;

/**
 * The base style. With no tile server configured it uses only the bundled world outline, so the map works
 * with no internet at all. It has no symbol layers: text would need glyph files we do not ship.
 */
export function basemapStyle(basemap: SiteConfig['basemap'] | undefined): StyleSpecification {
  if (basemap?.tile_url) {
    return {
      version: 8,
      sources: {
        basemap: {
          type: 'raster',
          tiles: [basemap.tile_url],
          tileSize: 256,
          maxzoom: 19,
          attribution: basemap.attribution ?? '',
        },
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': colors.water } },
        { id: 'basemap', type: 'raster', source: 'basemap' },
      ],
    };
  }
  return {
    version: 8,
    sources: {
      countries: {
        type: 'geojson',
        data: new URL(COUNTRIES_URL, location.href).href,
        attribution: 'Outlines: <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
        // Outlines are at 1:50m; nothing is gained by cutting finer tiles than this.
        maxzoom: 8,
        tolerance: 0.5,
      },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': colors.water } },
      { id: 'countries-fill', type: 'fill', source: 'countries', paint: { 'fill-color': colors.land } },
      {
        id: 'countries-line',
        type: 'line',
        source: 'countries',
        paint: {
          'line-color': colors.border,
          'line-width': ['interpolate', ['linear'], ['zoom'], 1, 0.4, 6, 1.2],
        },
      },
    ],
  };
}
