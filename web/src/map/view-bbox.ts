import type { Map as MapLibreMap } from 'maplibre-gl';

export type BBox = [west: number, south: number, east: number, north: number];

/**
 * What the map shows, as the API's `bbox=w,s,e,n`: longitudes wrapped into ±180 (a view that crosses the
 * antimeridian gives west > east, RFC 7946 §5.2), latitudes clamped, rounded to about a metre.
 */
export function viewBbox(map: MapLibreMap): BBox {
  const bounds = map.getBounds();
  const round = (n: number) => Math.round(n * 1e5) / 1e5;
  const south = Math.max(-90, bounds.getSouth());
  const north = Math.min(90, bounds.getNorth());
  let west = bounds.getWest();
  let east = bounds.getEast();
  if (east - west >= 360) {
    west = -180;
    east = 180;
  } else {
    const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
    west = wrap(west);
    east = wrap(east);
    if (east === -180) east = 180;
  }
  return [round(west), round(south), round(east), round(north)];
}
