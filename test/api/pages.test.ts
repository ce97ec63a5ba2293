import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { reportPageDir } from '../helpers/report-page.js';

const shell = (title: string) =>
  `<!doctype html><html><head><title>${title} · Tally</title></head><body><a class="brand" href="/">Tally</a></body></html>`;

forEachDatabase('the map and volunteer pages', (open) => {
  test('the volunteers page may not be framed by another site, the map only by those named', async (t) => {
    const webDir = reportPageDir(t);
    writeFileSync(path.join(webDir, 'index.html'), shell('Map'));
    writeFileSync(path.join(webDir, 'volunteer.html'), shell('Volunteers'));
    const { app } = await buildTestApp(await open(), {
      webDir,
      name: 'Tally Haiti',
      embedOrigins: ['https://news.example.org'],
    });
    const volunteer = await app.inject({ url: '/volunteer' });
    const map = await app.inject({ url: '/' });
    assert.equal(volunteer.headers['x-frame-options'], 'DENY');
    assert.equal(map.headers['x-frame-options'], undefined);
    assert.match(
      String(map.headers['content-security-policy']),
      /frame-ancestors https:\/\/news\.example\.org/,
    );
    assert.match(map.body, /<title>Map · Tally Haiti<\/title>/);
    assert.match(volunteer.body, /<a class="brand" href="\/">Tally Haiti<\/a>/);
  });
});
