import assert from 'node:assert/strict';
import { test } from 'node:test';
import { version } from '../../src/version.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
}

const contractPaths = [
  '/api/v1/health',
  '/api/v1/auth/login',
  '/api/v1/reports',
  '/api/v1/reports/{id}',
  '/api/v1/categories',
  '/api/v1/exports/reports.{format}',
];

forEachDatabase('API description', (open) => {
  test('GET /api/v1/openapi.json is an OpenAPI 3.1 document of this version', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json<OpenApiDocument>();
    assert.match(document.openapi, /^3\.1\.\d+$/);
    assert.equal(document.info.version, version);
  });

  test('the OpenAPI document describes every path of the API contract', async () => {
    const { app } = await buildTestApp(await open());
    const { paths } = (await app.inject({ url: '/api/v1/openapi.json' })).json<OpenApiDocument>();
    const missing = contractPaths.filter((path) => !(path in paths));
    assert.deepEqual(missing, []);
  });

  test('the OpenAPI document describes the methods of the report endpoints', async () => {
    const { app } = await buildTestApp(await open());
    const { paths } = (await app.inject({ url: '/api/v1/openapi.json' })).json<OpenApiDocument>();
    assert.deepEqual(Object.keys(paths['/api/v1/reports'] ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(paths['/api/v1/reports/{id}'] ?? {}).sort(), ['get', 'patch']);
  });

  test('the OpenAPI document names bearer tokens as the way to authenticate', async () => {
    const { app } = await buildTestApp(await open());
    const document = (await app.inject({ url: '/api/v1/openapi.json' })).json<OpenApiDocument>();
    assert.deepEqual(document.components?.securitySchemes?.bearer, { type: 'http', scheme: 'bearer' });
  });

  test('/api/docs serves a documentation page', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/docs' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /<html/i);
  });
});
