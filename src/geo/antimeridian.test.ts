import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutAtAntimeridian, type Ring } from './antimeridian.js';

test('a polygon that does not cross the antimeridian is kept whole', () => {
  const ring: Ring = [
    [140, 37],
    [141, 37],
    [141, 38],
    [140, 37],
  ];
  assert.deepEqual(cutAtAntimeridian(ring), { type: 'Polygon', coordinates: [ring] });
});

test('a polygon across the antimeridian is cut along it into two closed rings', () => {
  // A square from 179° E to 179° W, counter-clockwise.
  const ring: Ring = [
    [179, -18],
    [-179, -18],
    [-179, -16],
    [179, -16],
    [179, -18],
  ];
  assert.deepEqual(cutAtAntimeridian(ring), {
    type: 'MultiPolygon',
    coordinates: [
      [
        [
          [179, -18],
          [180, -18],
          [180, -16],
          [179, -16],
          [179, -18],
        ],
      ],
      [
        [
          [-180, -18],
          [-179, -18],
          [-179, -16],
          [-180, -16],
          [-180, -18],
        ],
      ],
    ],
  });
});

test('the cut places the new corners where the edges meet the antimeridian', () => {
  // The edge from 179° E, 10° S to 179° W, 12° S meets 180° halfway, at 11° S.
  const ring: Ring = [
    [179, -10],
    [-179, -12],
    [179, -14],
    [179, -10],
  ];
  const cut = cutAtAntimeridian(ring);
  assert.equal(cut.type, 'MultiPolygon');
  const west = cut.coordinates[0]?.[0] as Ring;
  assert.deepEqual(west.slice(0, 2), [
    [179, -10],
    [180, -11],
  ]);
});
