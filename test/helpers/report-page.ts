import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { App } from '../../src/app.js';

/** The smallest report page the server can fill in: the two markers and the form's fields. */
export const reportPageTemplate = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Send a report · Tally</title></head>
  <body>
    <header><a class="brand" href="/">Tally</a></header>
    <!--tally:messages-->
    <form method="post" action="/report" enctype="application/x-www-form-urlencoded">
      <input id="title" name="title" type="text" required>
      <textarea id="description" name="description"></textarea>
      <select id="category" name="category" multiple><!--tally:category-options--></select>
      <input id="occurred_at" name="occurred_at" type="datetime-local">
      <input id="location_name" name="location_name" type="text">
      <input id="lat" name="lat" type="text" inputmode="decimal">
      <input id="lon" name="lon" type="text" inputmode="decimal">
      <input id="author_name" name="author_name" type="text">
      <input id="contact" name="contact" type="text">
      <button type="submit">Send</button>
    </form>
  </body>
</html>
`;

/** A temporary web app folder holding only `report.html`, removed when the test ends. */
export function reportPageDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-report-page-'));
  writeFileSync(path.join(dir, 'report.html'), reportPageTemplate);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Posts the no-JavaScript form as a browser would; a field given as an array is sent once per value. */
export function postReportForm(
  app: App,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
) {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
  }
  return app.inject({
    method: 'POST',
    url: '/report',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form.toString(),
  });
}
