/** [longitude, latitude] positions, the first repeated at the end. */
export type Ring = [number, number][];

export type AreaGeometry =
  | { type: 'Polygon'; coordinates: Ring[] }
  | { type: 'MultiPolygon'; coordinates: Ring[][] };

/** The part of a ring (longitudes unwrapped past 180) on one side of the 180th meridian. */
function sideOf180(ring: Ring, east: boolean): Ring {
  const inside = (lon: number) => (east ? lon >= 180 : lon <= 180);
  const kept: Ring = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const [lonA, latA] = ring[i] as [number, number];
    const [lonB, latB] = ring[i + 1] as [number, number];
    if (inside(lonA)) kept.push([lonA, latA]);
    if (inside(lonA) !== inside(lonB)) {
      const t = (180 - lonA) / (lonB - lonA);
      kept.push([180, latA + t * (latB - latA)]);
    }
  }
  const first = kept[0];
  if (first) kept.push([first[0], first[1]]);
  return kept;
}

/**
 * A small polygon (an H3 cell) as RFC 7946 §3.1.9 asks: one that crosses the antimeridian is cut in two
 * along it, so that no reader draws it as a band around the whole world. Cells around a pole are not
 * handled: no sensor network Tally hosts measures there.
 */
export function cutAtAntimeridian(ring: Ring): AreaGeometry {
  const crosses = ring.some(
    (point, i) => i > 0 && Math.abs(point[0] - (ring[i - 1] as [number, number])[0]) > 180,
  );
  if (!crosses) return { type: 'Polygon', coordinates: [ring] };
  const unwrapped: Ring = ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]);
  const west = sideOf180(unwrapped, false);
  const east: Ring = sideOf180(unwrapped, true).map(([lon, lat]) => [lon - 360, lat]);
  return { type: 'MultiPolygon', coordinates: [[west], [east]] };
}
