import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SurveyCache } from './survey-cache.js';
import type { Survey } from './surveys.repository.js';

function countingSurveys(name: string) {
  const calls: string[] = [];
  const survey = (id: string): Survey => ({ id, name, description: '', autoPublish: false, fields: [] });
  const findById = async (id: string) => {
    calls.push(id);
    return survey(id);
  };
  return { calls, repository: { findById } };
}

test('a survey read twice within the time to live is read from the database once', async () => {
  const { calls, repository } = countingSurveys('Reports');
  const cache = new SurveyCache(repository, 5_000, () => 1_000);
  await cache.findById('default');
  await cache.findById('default');
  assert.deepEqual(calls, ['default']);
});

test('a survey is read again once its time to live has passed', async () => {
  const { calls, repository } = countingSurveys('Reports');
  let now = 1_000;
  const cache = new SurveyCache(repository, 5_000, () => now);
  await cache.findById('default');
  now += 5_001;
  await cache.findById('default');
  assert.deepEqual(calls, ['default', 'default']);
});
