import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fold } from '../fold.js';
import type { Place } from '../geo/places.service.js';
import { titleFrom } from './inbox.service.js';
import { type Gazetteer, type KnownPlace, locationInText } from './place-in-text.js';
import { asksToBeForgotten } from './replies.js';

const runs = { numRuns: 300, seed: 20261208 };

/** SMS text of any kind: whole graphemes (emoji, scripts, combining marks), raw UTF-16 and near-misses. */
const smsText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200, size: 'medium' }),
  fc.string({ unit: 'binary', maxLength: 200, size: 'medium' }),
  fc
    .tuple(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.constantFrom('Kibera', 'Dar es Salaam', 'STOP', 'moto', '-1.3133, 36.7876', '99.99,999.99'),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
    )
    .map((parts) => parts.join(' ')),
);

/** Whether a string is well-formed UTF-16: no surrogate without its partner. */
function wellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

const places: Place[] = [
  { name: 'Kibera', country: 'KE', lat: -1.3133, lon: 36.7876, population: 170_000 } as Place,
  { name: 'Dar es Salaam', country: 'TZ', lat: -6.8235, lon: 39.2695, population: 4_364_541 } as Place,
];
const gazetteer: Gazetteer = {
  named: (key) => places.filter((place) => fold(place.name) === key),
};
const known: KnownPlace[] = [{ name: 'Olympic gate', key: 'olympic gate', lat: -1.31, lon: 36.78 }];

describe('SMS text of any Unicode', () => {
  it('is folded to lowercase words without throwing, and folding twice changes nothing', () => {
    fc.assert(
      fc.property(smsText, (text) => {
        const once = fold(text);
        assert.equal(fold(once), once);
      }),
      runs,
    );
  });

  it('gives a place on the globe or none, never a throw', () => {
    fc.assert(
      fc.property(smsText, (text) => {
        const found = locationInText(text, gazetteer, ['KE', 'TZ'], known);
        if (found === null) return;
        assert.ok(Math.abs(found.lat) <= 90 && Math.abs(found.lon) <= 180);
        assert.ok(found.confidence > 0 && found.confidence <= 1);
      }),
      runs,
    );
  });

  it('gives a title of at most 81 characters that is never empty', () => {
    fc.assert(
      fc.property(smsText, (text) => {
        const title = titleFrom(text);
        assert.ok(title.length > 0 && title.length <= 81, title);
      }),
      runs,
    );
  });

  it('gives a title that cuts no character in half', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'é', '😀', '👩‍👩‍👧'), minLength: 60, maxLength: 120 }),
        (text) => {
          assert.ok(wellFormed(titleFrom(text)), JSON.stringify(titleFrom(text)));
        },
      ),
      runs,
    );
  });

  it('asks to be forgotten only when it is a stop word alone', () => {
    fc.assert(
      fc.property(smsText, (text) => {
        if (asksToBeForgotten(text)) assert.ok(!/\s/.test(text.trim()), text);
      }),
      runs,
    );
  });
});
