import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../src/paths.js';
import { siteNav, withSiteHeader } from '../../web/site-header.js';

const webDir = path.join(projectRoot, 'web');
const pages = readdirSync(webDir).filter((name) => name.endsWith('.html'));

test('every page gets the whole site navigation', () => {
  for (const page of pages) {
    const html = withSiteHeader(readFileSync(path.join(webDir, page), 'utf8'), page);
    const links = [...html.matchAll(/<li><a href="([^"]*)"/g)].map((match) => match[1]);
    assert.deepEqual(
      links,
      siteNav.map(({ href }) => href),
      page,
    );
  }
});

test('a page marks itself, and only itself, as the current one', () => {
  const html = withSiteHeader('<body>\n    <!-- site-header current="/sensors" -->\n</body>', 'sensors.html');
  assert.deepEqual(
    [...html.matchAll(/<a href="([^"]*)" aria-current="page">/g)].map((match) => match[1]),
    ['/sensors'],
  );
});

test('a page outside the navigation marks nothing as current', () => {
  const html = withSiteHeader('<!-- site-header -->', 'report-page.html');
  assert.ok(html.includes('<nav aria-label="Main">'));
  assert.ok(!html.includes('aria-current'));
});

test('a page without the placeholder fails the build instead of going out without navigation', () => {
  assert.throws(() => withSiteHeader('<body></body>', 'new.html'), /new\.html has no <!-- site-header -->/);
});

test('a page naming a current link the navigation does not have fails the build', () => {
  assert.throws(() => withSiteHeader('<!-- site-header current="/mpa" -->', 'map.html'), /"\/mpa"/);
});
