import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlacesService } from '../geo/places.service.js';
import { locationInText } from './place-in-text.js';

// The real gazetteer (GeoNames cities of 1,000+ people), loaded once for these tests.
const gazetteer = new PlacesService();

test('a coordinate pair in the text is taken as it is', () => {
  assert.deepEqual(locationInText('Moto hapa -1.3133, 36.7876 sokoni', gazetteer, ['KE']), {
    lat: -1.3133,
    lon: 36.7876,
    name: null,
    confidence: 1,
    source: 'coordinates',
  });
});

test('a town named in the text is found in the deployment’s countries', () => {
  const found = locationInText('Mafuriko Kasese, barabara imefungwa', gazetteer, ['UG', 'KE']);
  assert.equal(found?.name, 'Kasese, UG');
  assert.equal(found?.source, 'gazetteer');
  assert.ok(Math.abs((found?.lat ?? 0) - 0.18) < 0.1);
});

test('a name of several words wins over a name inside it', () => {
  assert.equal(
    locationInText('Maji yamekatika Dar es Salaam leo', gazetteer, ['TZ'])?.name,
    'Dar es Salaam, TZ',
  );
});

test('a place outside the deployment’s countries is not proposed', () => {
  assert.equal(locationInText('Fire at the market in Kasese', gazetteer, ['KE']), null);
});

test('without coordinates or countries to look in, nothing is proposed', () => {
  assert.equal(locationInText('Fire at the market in Kasese', gazetteer, []), null);
});

test('an impossible coordinate pair is not taken', () => {
  assert.equal(locationInText('Room 12.50, 300.25', gazetteer, []), null);
});

test('a place of the deployment’s own list is found first, the longest name named winning', () => {
  const known = [
    { name: 'Toi Market', key: 'toi market', lat: -1.3105, lon: 36.7868 },
    { name: 'Toi', key: 'toi', lat: -1.3, lon: 36.78 },
  ];
  assert.deepEqual(locationInText('Moto kwenye Toi Market, Kibera', gazetteer, ['KE'], known), {
    lat: -1.3105,
    lon: 36.7868,
    name: 'Toi Market',
    confidence: 0.9,
    source: 'places',
  });
});

test('a place of the list is found even where the deployment names no countries', () => {
  const known = [{ name: 'Kakuma Camp 3', key: 'kakuma camp 3', lat: 3.7167, lon: 34.8667 }];
  assert.equal(
    locationInText('Water shortage at Kakuma camp 3 today', gazetteer, [], known)?.name,
    'Kakuma Camp 3',
  );
});
