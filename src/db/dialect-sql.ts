import { type Expression, type SqlBool, sql } from 'kysely';
import type { Dialect } from './database.js';

// The few query fragments that differ between SQLite and PostgreSQL. Repositories ask for them here.

export interface BoundingBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** Reports whose public point lies in the box; a box with west > east crosses the antimeridian. */
export function reportWithinBbox(dialect: Dialect, box: BoundingBox): Expression<SqlBool> {
  if (box.west > box.east) {
    const eastern = { ...box, east: 180 };
    const western = { ...box, west: -180 };
    return sql<SqlBool>`(${reportWithinBbox(dialect, eastern)} OR ${reportWithinBbox(dialect, western)})`;
  }
  const { west, south, east, north } = box;
  const exact = sql`reports.public_lon >= ${west} AND reports.public_lon <= ${east} AND reports.public_lat >= ${south} AND reports.public_lat <= ${north}`;
  if (dialect === 'postgres') {
    return sql<SqlBool>`(reports.public_lat IS NOT NULL AND point(reports.public_lon, reports.public_lat) <@ box(point(${west}, ${south}), point(${east}, ${north})) AND ${exact})`;
  }
  // The R*Tree stores 32-bit floats rounded outwards, so the exact test on the row trims its edges.
  return sql<SqlBool>`(reports.seq IN (SELECT seq FROM reports_rtree WHERE max_lon >= ${west} AND min_lon <= ${east} AND max_lat >= ${south} AND min_lat <= ${north}) AND ${exact})`;
}

/** Words of a free-text query, reduced to letters and digits so neither FTS5 nor tsquery syntax leaks in. */
export function searchTerms(query: string): string[] {
  return query
    .normalize('NFKC')
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase())
    .filter((word) => word.length > 0)
    .slice(0, 16);
}

/** Reports containing every term (as a word prefix) in title, description or place name. */
export function reportMatchesText(dialect: Dialect, terms: string[]): Expression<SqlBool> {
  if (dialect === 'postgres') {
    const tsquery = terms.map((term) => `${term}:*`).join(' & ');
    return sql<SqlBool>`reports.search @@ to_tsquery('simple', ${tsquery})`;
  }
  const match = terms.map((term) => `"${term}"*`).join(' ');
  return sql<SqlBool>`reports.seq IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ${match})`;
}
