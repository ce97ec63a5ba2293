import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface LocalPlace {
  id: string;
  name: string;
  key: string;
  lat: number;
  lon: number;
}

export class LocalPlacesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds a place, or moves the one of the same (folded) name. */
  async upsert(place: LocalPlace, now: string): Promise<void> {
    await this.db
      .insertInto('local_places')
      .values({ ...place, created_at: now })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({ name: place.name, lat: place.lat, lon: place.lon }),
      )
      .execute();
  }

  async list(): Promise<LocalPlace[]> {
    const rows = await this.db
      .selectFrom('local_places')
      .select(['id', 'name', 'key', 'lat', 'lon'])
      .orderBy('name')
      .execute();
    return rows.map((row) => ({ ...row, lat: Number(row.lat), lon: Number(row.lon) }));
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('local_places').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
