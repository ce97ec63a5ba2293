import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Survey } from '../surveys/surveys.repository.js';
import type { Report } from './report.js';
import { publicLocation, toPublicView, toStaffView } from './report-view.js';

function report(overrides: Partial<Report> = {}): Report {
  return {
    seq: 1,
    id: 'r-1',
    surveyId: 'default',
    title: 'Family sheltering after eviction',
    description: '',
    location: { lat: -1.3133, lon: 36.7876, accuracyM: 5 },
    locationName: 'Kibera',
    occurredAt: '2026-11-24T06:00:00.000Z',
    receivedAt: '2026-11-24T06:05:00.000Z',
    updatedAt: '2026-11-24T06:05:00.000Z',
    publishedAt: '2026-11-24T07:00:00.000Z',
    publishedBy: 'p-0123456789abcdef',
    status: 'published',
    verification: 'unverified',
    sensitivity: 'exact',
    authorName: 'Wanjiru',
    contact: '+254722000111',
    source: 'api',
    revision: 2,
    fields: { people: 6, head_of_household: 'Joseph' },
    createdBy: 'u-1',
    categories: [],
    idempotency: null,
    ...overrides,
  };
}

const survey: Survey = {
  id: 'default',
  name: 'Reports',
  description: '',
  autoPublish: false,
  fields: [
    { key: 'people', label: 'People', type: 'number', required: false, private: false },
    { key: 'head_of_household', label: 'Head of household', type: 'text', required: false, private: true },
  ],
};

test('an exact report is shown where it is, with its accuracy', () => {
  assert.deepEqual(publicLocation(report()), { lat: -1.3133, lon: 36.7876, accuracy_m: 5 });
});

test('a coarse report is shown at the centre of its 0.01° cell, with 1 km accuracy', () => {
  assert.deepEqual(publicLocation(report({ sensitivity: 'coarse' })), {
    lat: -1.315,
    lon: 36.785,
    accuracy_m: 1000,
  });
});

test('every point of a coarse cell is shown at the same place', () => {
  const shown = [
    [-1.3101, 36.7801],
    [-1.3199, 36.7899],
  ].map(([lat, lon]) =>
    publicLocation(report({ sensitivity: 'coarse', location: { lat: lat!, lon: lon!, accuracyM: null } })),
  );
  assert.deepEqual(shown[0], shown[1]);
});

test('coarsening never moves a point off the map at the antimeridian or the poles', () => {
  for (const [lat, lon] of [
    [90, 180],
    [-90, -180],
    [89.999, 179.999],
  ]) {
    const shown = publicLocation(
      report({ sensitivity: 'coarse', location: { lat: lat!, lon: lon!, accuracyM: null } }),
    );
    assert.ok(shown, 'no location');
    assert.ok(
      Math.abs(shown.lat) <= 90 && Math.abs(shown.lon) <= 180,
      `${lat},${lon} became ${shown.lat},${shown.lon}`,
    );
    assert.ok(Math.abs(shown.lat - lat!) <= 0.01 && Math.abs(shown.lon - lon!) <= 0.01);
  }
});

test('a report without coordinates has no public location', () => {
  assert.equal(publicLocation(report({ location: null })), null);
});

test('the public view leaves out the contact and who created the report', () => {
  const view = toPublicView(report(), survey);
  assert.ok(!('contact' in view));
  assert.ok(!('created_by' in view));
});

test('the public view leaves out private survey fields', () => {
  assert.deepEqual(toPublicView(report(), survey).fields, { people: 6 });
});

test('the public view leaves out every field when the survey is unknown', () => {
  assert.deepEqual(toPublicView(report(), undefined).fields, {});
});

test('the staff view has the contact, the creator, every field and the exact location', () => {
  const view = toStaffView(report({ sensitivity: 'coarse' }));
  assert.equal(view.contact, '+254722000111');
  assert.equal(view.created_by, 'u-1');
  assert.deepEqual(view.fields, { people: 6, head_of_household: 'Joseph' });
  assert.deepEqual(view.location, { lat: -1.3133, lon: 36.7876, accuracy_m: 5 });
});
