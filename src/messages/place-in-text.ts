/**
 * Where a message says it is: a coordinate pair written in it is taken as it is; otherwise place names in
 * its words are looked up in the deployment's own place list, then in the gazetteer, in the deployment's
 * countries (or the sender's), and the likeliest one is proposed with how sure that is.
 */
import { fold } from '../fold.js';
import type { Place } from '../geo/places.service.js';

export interface SuggestedLocation {
  lat: number;
  lon: number;
  name: string | null;
  /** 1 for coordinates written in the message; less for a name, the less the more places share it. */
  confidence: number;
  source: 'coordinates' | 'places' | 'gazetteer';
}

export interface Gazetteer {
  named(key: string): readonly Place[];
}

const coordinatePair = /(-?\d{1,2}\.\d{2,})\s*[,;\s]\s*(-?\d{1,3}\.\d{2,})/;

function coordinatesIn(text: string): SuggestedLocation | null {
  const match = coordinatePair.exec(text);
  if (!match) return null;
  const lat = Number(match[1]);
  const lon = Number(match[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon, name: null, confidence: 1, source: 'coordinates' };
}

/** Words of three letters or fewer name too many places by chance ("Ewa", "Bo") to count alone. */
const shortestName = 4;

/** A place of the deployment's own list: its folded name, where it is. */
export interface KnownPlace {
  name: string;
  key: string;
  lat: number;
  lon: number;
}

export function locationInText(
  text: string,
  gazetteer: Gazetteer,
  countries: readonly string[],
  known: readonly KnownPlace[] = [],
): SuggestedLocation | null {
  const written = coordinatesIn(text);
  if (written) return written;
  const words = fold(text).split(' ').filter(Boolean);
  // The deployment's own names first (a market, an estate, a camp): the longest one named wins.
  const folded = ` ${words.join(' ')} `;
  const local = known
    .filter((place) => folded.includes(` ${place.key} `))
    .sort((a, b) => b.key.length - a.key.length)[0];
  if (local) return { lat: local.lat, lon: local.lon, name: local.name, confidence: 0.9, source: 'places' };
  if (countries.length === 0) return null;
  let best: { place: Place; words: number; rivals: number } | null = null;
  // Longer names first: "Dar es Salaam" before "Salaam".
  for (let length = 3; length >= 1; length--) {
    for (let start = 0; start + length <= words.length; start++) {
      const key = words.slice(start, start + length).join(' ');
      if (key.length < shortestName) continue;
      const here = gazetteer.named(key).filter((place) => countries.includes(place.country));
      if (here.length === 0) continue;
      const biggest = here.reduce((a, b) => (b.population > a.population ? b : a));
      if (
        !best ||
        length > best.words ||
        (length === best.words && biggest.population > best.place.population)
      ) {
        best = { place: biggest, words: length, rivals: here.length - 1 };
      }
    }
  }
  if (!best) return null;
  // One place of that name in the deployment's countries is a good guess; several make it a weaker one.
  const confidence = Math.round((best.rivals === 0 ? 0.8 : 0.8 / (1 + best.rivals)) * 100) / 100;
  return {
    lat: best.place.lat,
    lon: best.place.lon,
    name: `${best.place.name}, ${best.place.country}`,
    confidence,
    source: 'gazetteer',
  };
}
