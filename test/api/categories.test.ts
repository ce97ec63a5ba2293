import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem, type CategoryJson, createCategory, submitReport } from '../helpers/reports.js';

forEachDatabase('categories API', (open) => {
  test('a coordinator creates a category and a subcategory under it', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const cholera = await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    assert.equal(cholera.parent_id, health.id);
    const listed = (await app.inject({ url: '/api/v1/categories' })).json<{ items: CategoryJson[] }>();
    assert.deepEqual(listed.items.map((category) => [category.name, category.parent_id]).sort(), [
      ['Cholera', health.id],
      ['Health', null],
    ]);
  });

  test('a volunteer may not create a category: 403 forbidden', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      headers: await as('volunteer'),
      payload: { name: 'Health' },
    });
    assertProblem(response, 403, 'forbidden');
  });

  test('an anonymous caller may not create a category: 401 unauthenticated', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      payload: { name: 'Health' },
    });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('a second category with the same name under the same parent is refused with 409 category_exists', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      headers: coordinator,
      payload: { name: 'cholera', parent_id: health.id },
    });
    assertProblem(response, 409, 'category_exists');
  });

  test('the same name is allowed under different parents', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const water = await createCategory(app, coordinator, { name: 'Water' });
    await createCategory(app, coordinator, { name: 'Other', parent_id: health.id });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      headers: coordinator,
      payload: { name: 'Other', parent_id: water.id },
    });
    assert.equal(response.statusCode, 201);
  });

  test('moving a category under its own descendant is refused with 422 category_cycle', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const cholera = await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    const centres = await createCategory(app, coordinator, {
      name: 'Treatment centres',
      parent_id: cholera.id,
    });
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/categories/${health.id}`,
      headers: coordinator,
      payload: { parent_id: centres.id },
    });
    assertProblem(response, 422, 'category_cycle', '/parent_id');
  });

  test('moving a category under itself is refused with 422 category_cycle', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/categories/${health.id}`,
      headers: coordinator,
      payload: { parent_id: health.id },
    });
    assertProblem(response, 422, 'category_cycle', '/parent_id');
  });

  test('a coordinator moves a category under another one', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const cholera = await createCategory(app, coordinator, { name: 'Cholera' });
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/categories/${cholera.id}`,
      headers: coordinator,
      payload: { parent_id: health.id },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<CategoryJson>().parent_id, health.id);
  });

  test('a parent that does not exist is refused with 422 unknown_category', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      headers: await as('coordinator'),
      payload: { name: 'Cholera', parent_id: 'no-such-category' },
    });
    assertProblem(response, 422, 'unknown_category', '/parent_id');
  });

  test('deleting a category that has subcategories is refused with 409 category_in_use', async () => {
    const { app, as } = await buildTestApp(await open());
    const coordinator = await as('coordinator');
    const health = await createCategory(app, coordinator, { name: 'Health' });
    await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    const response = await app.inject({
      method: 'DELETE',
      url: `/api/v1/categories/${health.id}`,
      headers: coordinator,
    });
    assertProblem(response, 409, 'category_in_use');
  });

  test('deleting a category leaves its reports in place without it', async () => {
    const { app, as } = await buildTestApp(await open());
    const [coordinator, volunteer] = [await as('coordinator'), await as('volunteer')];
    const water = await createCategory(app, coordinator, { name: 'Water' });
    const report = await submitReport(app, { title: 'Borehole dry', categories: [water.id] });
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/v1/categories/${water.id}`,
      headers: coordinator,
    });
    assert.equal(deleted.statusCode, 204);
    const after = await app.inject({ url: `/api/v1/reports/${report.id}`, headers: volunteer });
    assert.deepEqual(after.json<{ categories: string[] }>().categories, []);
  });

  test('a report naming a category that does not exist is refused with 422 unknown_category on /categories', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Borehole dry', categories: ['no-such-category'] },
    });
    assertProblem(response, 422, 'unknown_category', '/categories');
  });
});
