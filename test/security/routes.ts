import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { App } from '../../src/app.js';
import { projectRoot } from '../../src/paths.js';
import { reportPageDir } from '../helpers/report-page.js';

export interface RegisteredRoute {
  method: string;
  url: string;
}

/** The one line of `printRoutes` that names a route: the tree's indent, the path's tail and its methods. */
const routeLine = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/u;

/** `hasRoute` knows no wildcard route by its own path: a path the wildcard alone matches finds it. */
function isRoute(app: App, method: string, url: string): boolean {
  if (app.hasRoute({ method: method as 'GET', url })) return true;
  if (!url.endsWith('/*')) return false;
  const found = app.findRoute({ method: method as 'GET', url: `${url.slice(0, -1)}no-such-file.txt` });
  return found !== null && Object.hasOwn(found.params, '*');
}

/**
 * Every (method, url) the app answers, read from its router's tree (`printRoutes` with whole segments).
 * Each one is checked with `hasRoute`, so a tree Tally misreads fails here rather than going unaudited.
 */
export function registeredRoutes(app: App): RegisteredRoute[] {
  const prefixes: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (line.trim() === '') continue;
    const match = routeLine.exec(line);
    assert.ok(match, `a line of the route tree Tally cannot read: "${line}"`);
    const [, indent = '', tail = '', methods] = match;
    const depth = indent.length / 4;
    const parent = depth > 0 ? (prefixes[depth - 1] ?? '') : '';
    // The tree prints a wildcard after a static node without the slash between them.
    const url = tail.startsWith('*') && !parent.endsWith('/') ? `${parent}/${tail}` : parent + tail;
    prefixes[depth] = url;
    prefixes.length = depth + 1;
    for (const method of methods?.split(',').map((m) => m.trim()) ?? []) {
      assert.ok(isRoute(app, method, url), `the route tree names ${method} ${url}, unknown`);
      routes.push({ method, url });
    }
  }
  assert.ok(routes.length > 0, 'the route tree is empty');
  return routes.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}

/** Swagger UI's page and assets at /api/docs: a viewer of /api/v1/openapi.json, not Tally's API. */
export function isApiDocsViewer(route: RegisteredRoute): boolean {
  return route.url === '/api/docs' || route.url.startsWith('/api/docs/');
}

/** Every page of the web app (its sources under web/), so that a new page's route registers here too. */
export const webPageFiles = readdirSync(path.join(projectRoot, 'web')).filter(
  (file) => file.endsWith('.html') && file !== 'report.html',
);

/** A built web app with every page and one hashed asset, so that the page routes and static files register. */
export function builtWebApp(t: TestContext): string {
  const dir = reportPageDir(t);
  for (const file of webPageFiles) {
    writeFileSync(
      path.join(dir, file),
      `<!doctype html><html><head><title>${file} · Tally</title></head><body><a class="brand" href="/">Tally</a></body></html>`,
    );
  }
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("map");\n');
  return dir;
}

/** A bGeigie Nano log line with its checksum (the XOR of the bytes between `$` and `*`). */
function logLine(body: string): string {
  let sum = 0;
  for (const char of body) sum ^= char.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Degrees as a bGeigie writes them: degrees and minutes to four decimals, and the hemisphere. */
function nmea(degrees: number, width: number, positive: string, negative: string): string {
  const abs = Math.abs(degrees);
  const whole = Math.floor(abs);
  const minutes = ((abs - whole) * 60).toFixed(4).padStart(7, '0');
  return `${String(whole).padStart(width, '0')}${minutes},${degrees < 0 ? negative : positive}`;
}

/**
 * A bGeigie Nano log of a logger standing still at one place, one line every five seconds from `start`:
 * what a fixed station at someone's home writes.
 */
export function stationaryLog(
  serial: string,
  at: { lat: number; lon: number },
  start: Date,
  lines: number,
): Buffer {
  const rows = ['# NEW LOG', '# format=1.0.0nano'];
  for (let i = 0; i < lines; i++) {
    const time = new Date(start.getTime() + i * 5000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cpm = 30 + (i % 7);
    rows.push(
      logLine(
        `BNRDD,${serial},${time},${cpm},${Math.round(cpm / 12)},${cpm * (i + 1)},A,${nmea(at.lat, 2, 'N', 'S')},${nmea(at.lon, 3, 'E', 'W')},1650.00,A,9,90`,
      ),
    );
  }
  return Buffer.from(`${rows.join('\r\n')}\r\n`);
}
