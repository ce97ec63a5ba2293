import { type Expression, type SqlBool, sql } from 'kysely';
import type { Dialect } from './database.js';

// The few query fragments that differ between SQLite and PostgreSQL. Repositories ask for them here.

export interface BoundingBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** A box crossing the antimeridian (west > east) as the two boxes either side of it. */
export function splitAtAntimeridian(box: BoundingBox): BoundingBox[] {
  return box.west > box.east
    ? [
        { ...box, east: 180 },
        { ...box, west: -180 },
      ]
    : [box];
}

/**
 * Reports whose public point lies in the box; a box with west > east crosses the antimeridian.
 * `useSpatialIndex: false` leaves the choice of index to the query planner (see `sqliteBboxHitsUpTo`).
 */
export function reportWithinBbox(
  dialect: Dialect,
  box: BoundingBox,
  useSpatialIndex = true,
): Expression<SqlBool> {
  const parts = splitAtAntimeridian(box);
  if (parts.length > 1) {
    return sql<SqlBool>`(${sql.join(
      parts.map((part) => reportWithinBbox(dialect, part, useSpatialIndex)),
      sql` OR `,
    )})`;
  }
  const { west, south, east, north } = box;
  const exact = sql`reports.public_lon >= ${west} AND reports.public_lon <= ${east} AND reports.public_lat >= ${south} AND reports.public_lat <= ${north}`;
  if (!useSpatialIndex) return sql<SqlBool>`(${exact})`;
  if (dialect === 'postgres') {
    return sql<SqlBool>`(reports.public_lat IS NOT NULL AND point(reports.public_lon, reports.public_lat) <@ box(point(${west}, ${south}), point(${east}, ${north})) AND ${exact})`;
  }
  // The R*Tree stores 32-bit floats rounded outwards, so the exact test on the row trims its edges.
  return sql<SqlBool>`(reports.seq IN (SELECT seq FROM reports_rtree WHERE max_lon >= ${west} AND min_lon <= ${east} AND max_lat >= ${south} AND min_lat <= ${north}) AND ${exact})`;
}

/**
 * How many points the SQLite R*Tree holds in the box, counting no further than `limit`. A box holding
 * most of the data is answered faster by walking the newest reports and testing each point than by
 * collecting every hit from the R*Tree and sorting them.
 */
export function sqliteBboxHitsUpTo(box: BoundingBox, limit: number) {
  const selects = splitAtAntimeridian(box).map(
    (part) =>
      sql`SELECT 1 FROM reports_rtree WHERE max_lon >= ${part.west} AND min_lon <= ${part.east} AND max_lat >= ${part.south} AND min_lat <= ${part.north}`,
  );
  return sql<{
    hits: number;
  }>`SELECT count(*) AS hits FROM (${sql.join(selects, sql` UNION ALL `)} LIMIT ${limit})`;
}

/** Words of a free-text query, reduced to letters and digits so neither FTS5 nor tsquery syntax leaks in. */
export function searchTerms(query: string): string[] {
  return (
    query
      .normalize('NFKD')
      .split(/\s+/)
      // Accents on Latin letters go, as both databases index them (FTS5's remove_diacritics, and the
      // migration's translate()); other scripts keep theirs. Then anything but letters and digits goes.
      .map((word) =>
        word
          .replace(/([A-Za-z])\p{M}+/gu, '$1')
          .normalize('NFC')
          .replace(/[^\p{L}\p{N}]/gu, '')
          .toLowerCase(),
      )
      .filter((word) => word.length > 0)
      .slice(0, 16)
  );
}

/**
 * Reports containing every term (as a word prefix) in title, description or place name. Unless
 * `coarseNames`, a coarse report's place name is not searched: the public never sees it, so it must not
 * answer the public's searches either.
 */
export function reportMatchesText(
  dialect: Dialect,
  terms: string[],
  coarseNames = true,
): Expression<SqlBool> {
  if (dialect === 'postgres') {
    const tsquery = terms.map((term) => `${term}:*`).join(' & ');
    const anywhere = sql<SqlBool>`reports.search @@ to_tsquery('simple', ${tsquery})`;
    if (coarseNames) return anywhere;
    // The same folding as the generated column's, without the place name; checked only on the index's hits.
    return sql<SqlBool>`(${anywhere} AND (reports.sensitivity <> 'coarse' OR to_tsvector('simple', translate(lower(reports.title || ' ' || reports.description),
        'áàâäãåāăąéèêëēėęěíìîïīįóòôöõøōőúùûüūůűųýÿçćčñńňśšźżžđłğş', 'aaaaaaaaaeeeeeeeeiiiiiioooooooouuuuuuuuyycccnnnsszzzdlgs')) @@ to_tsquery('simple', ${tsquery})))`;
  }
  const match = terms.map((term) => `"${term}"*`).join(' ');
  const anywhere = sql<SqlBool>`reports.seq IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ${match})`;
  if (coarseNames) return anywhere;
  const inText = terms.map((term) => `{title description} : "${term}"*`).join(' ');
  return sql<SqlBool>`(${anywhere} AND (reports.sensitivity <> 'coarse' OR reports.seq IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ${inText})))`;
}
