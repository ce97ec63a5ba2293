import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Category } from '../categories/categories.repository.js';
import { categoryOptions, escapeHtml, fillValues, localTimeToUtc } from './report-form.js';

function category(id: string, name: string, parentId: string | null = null): Category {
  return {
    id,
    parentId,
    name,
    description: '',
    color: null,
    position: 0,
    translations: {},
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
  };
}

test('a datetime-local value is read in the deployment time zone: 14:30 in Nairobi is 11:30 UTC', () => {
  assert.equal(localTimeToUtc('2026-11-25T14:30', 'Africa/Nairobi'), '2026-11-25T11:30:00.000Z');
});

test('a datetime-local value with seconds keeps them', () => {
  assert.equal(localTimeToUtc('2026-11-25T14:30:15', 'Africa/Nairobi'), '2026-11-25T11:30:15.000Z');
});

test('a time in UTC is taken as it is', () => {
  assert.equal(localTimeToUtc('2026-11-25T14:30', 'UTC'), '2026-11-25T14:30:00.000Z');
});

test('a time typed with a space instead of T is read the same way', () => {
  assert.equal(localTimeToUtc('2026-11-25 14:30', 'Africa/Nairobi'), '2026-11-25T11:30:00.000Z');
});

test('a time west of Greenwich is moved forward to UTC', () => {
  assert.equal(localTimeToUtc('2026-11-25T14:30', 'America/Lima'), '2026-11-25T19:30:00.000Z');
});

test('summer time is applied in summer and not in winter', () => {
  assert.equal(localTimeToUtc('2026-07-01T12:00', 'Europe/Berlin'), '2026-07-01T10:00:00.000Z');
  assert.equal(localTimeToUtc('2026-01-15T12:00', 'Europe/Berlin'), '2026-01-15T11:00:00.000Z');
});

test('the hour before clocks go forward east of Greenwich still uses winter time', () => {
  // Berlin moves from UTC+1 to UTC+2 at 02:00 local (01:00 UTC) on 29 March 2026.
  assert.equal(localTimeToUtc('2026-03-29T01:30', 'Europe/Berlin'), '2026-03-29T00:30:00.000Z');
});

test('the hour after clocks go forward west of Greenwich already uses summer time', () => {
  // New York moves from UTC-5 to UTC-4 at 02:00 local (07:00 UTC) on 8 March 2026.
  assert.equal(localTimeToUtc('2026-03-08T03:30', 'America/New_York'), '2026-03-08T07:30:00.000Z');
});

test('a date that does not exist, such as 30 February, is not read as another day', () => {
  assert.equal(localTimeToUtc('2026-02-30T10:00', 'UTC'), null);
});

test('a time that does not exist, such as 25:61, is not read as another time', () => {
  assert.equal(localTimeToUtc('2026-11-25T25:61', 'UTC'), null);
});

test('text that is not a date and time is not read at all', () => {
  for (const text of ['yesterday', '25/11/2026 14:30', '2026-11-25', '']) {
    assert.equal(localTimeToUtc(text, 'UTC'), null, text);
  }
});

test('escapeHtml escapes the five characters that matter in HTML', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
  );
});

test('fillValues puts a typed value back into its input', () => {
  const html = '<form><input id="title" name="title" type="text" required /></form>';
  assert.match(
    fillValues(html, { title: 'Road blocked' }),
    /^<form><input id="title" name="title" type="text" required\s+value="Road blocked"\/><\/form>$/,
  );
});

test('fillValues replaces a value the input already had', () => {
  const html = '<input name="lat" value="0">';
  assert.equal(fillValues(html, { lat: '-1.28' }), '<input name="lat" value="-1.28">');
});

test('fillValues puts a typed value back into its textarea', () => {
  const html = '<textarea name="description" rows="5"></textarea>';
  assert.equal(
    fillValues(html, { description: 'Water rising' }),
    '<textarea name="description" rows="5">Water rising</textarea>',
  );
});

test('fillValues escapes what was typed so it cannot break out of the field', () => {
  const html = '<input name="title"><textarea name="description"></textarea>';
  const filled = fillValues(html, {
    title: '"><script>alert(1)</script>',
    description: '</textarea><script>alert(2)</script>',
  });
  assert.ok(!filled.includes('<script>'), filled);
  assert.ok(filled.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
});

test('fillValues keeps dollar signs exactly as typed', () => {
  const html = '<input name="title">';
  assert.equal(
    fillValues(html, { title: "Paid $& and $' and $$" }),
    `<input name="title" value="Paid $&amp; and $&#39; and $$">`,
  );
});

test('fillValues does not touch a field whose name only starts like a typed one', () => {
  const html = '<input name="title_extra"><input name="title">';
  assert.equal(
    fillValues(html, { title: 'Road' }),
    '<input name="title_extra"><input name="title" value="Road">',
  );
});

test('categoryOptions lists subcategories indented under their parents, chosen ones selected', () => {
  const categories = [category('h', 'Health'), category('c', 'Cholera', 'h'), category('r', 'Roads')];
  assert.equal(
    categoryOptions(categories, ['c']),
    '<option value="h">Health</option>' +
      '<option value="c" selected>\u00a0\u00a0Cholera</option>' +
      '<option value="r">Roads</option>',
  );
});

test('categoryOptions escapes category names', () => {
  assert.equal(
    categoryOptions([category('w', 'Water & <Sanitation>')], []),
    '<option value="w">Water &amp; &lt;Sanitation&gt;</option>',
  );
});
