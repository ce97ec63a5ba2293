import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SurveysRepository } from '../../src/surveys/surveys.repository.js';
import { buildTestApp, json } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';

async function waterSurvey(db: TestDb): Promise<void> {
  await new SurveysRepository(db.kysely).setFields('default', [
    { key: 'people_affected', label: 'People affected', type: 'number', required: true, private: false },
    {
      key: 'water_source',
      label: 'Source',
      type: 'select',
      required: false,
      private: false,
      options: ['well', 'tap'],
    },
    {
      key: 'needs',
      label: 'Needs',
      type: 'multi_select',
      required: false,
      private: false,
      options: ['food', 'water'],
    },
  ]);
}

interface FieldProblem {
  code: string;
  errors: { field: string; message: string }[];
}

forEachDatabase('survey field values', (open) => {
  test('values that fit the survey are stored with the report', async () => {
    const db = await open();
    await waterSurvey(db);
    const { app } = await buildTestApp(db);
    const fields = { people_affected: 40, water_source: 'well', needs: ['food', 'water'] };
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Well dry', fields },
    });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(json(response).fields, fields);
  });

  test('a missing required field, a wrong type, an unknown option and an unknown field are each named', async () => {
    const db = await open();
    await waterSurvey(db);
    const { app } = await buildTestApp(db);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Well dry', fields: { water_source: 'river', needs: 'food', colour: 'blue' } },
    });
    assert.equal(response.statusCode, 400);
    const problem = json<FieldProblem>(response);
    assert.equal(problem.code, 'validation_failed');
    assert.deepEqual(problem.errors.map((e) => e.field).sort(), [
      '/fields/colour',
      '/fields/needs',
      '/fields/people_affected',
      '/fields/water_source',
    ]);
  });

  test('a number sent as text is refused', async () => {
    const db = await open();
    await waterSurvey(db);
    const { app } = await buildTestApp(db);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Well dry', fields: { people_affected: '40' } },
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(json<FieldProblem>(response).errors, [
      { field: '/fields/people_affected', message: 'is not a valid number value' },
    ]);
  });
});
