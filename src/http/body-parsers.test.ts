import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../errors.js';
import { parseForm } from './body-parsers.js';

test('a form body is read into names and values, + meaning a space', () => {
  assert.deepEqual(
    { ...parseForm('title=Road+blocked&lat=-1.29&contact=%2B254700') },
    {
      title: 'Road blocked',
      lat: '-1.29',
      contact: '+254700',
    },
  );
});

test('a name sent more than once becomes a list, in order', () => {
  assert.deepEqual(parseForm('category=a&title=x&category=b&category=c').category, ['a', 'b', 'c']);
});

test('a name without a value reads as empty text', () => {
  assert.deepEqual({ ...parseForm('title=&description') }, { title: '', description: '' });
});

test('percent-escaped UTF-8 is decoded', () => {
  assert.equal(
    parseForm('location_name=S%C3%A3o+Tom%C3%A9%2C+Pr%C3%ADncipe').location_name,
    'São Tomé, Príncipe',
  );
});

test('a percent-escape that is not UTF-8 is refused with invalid_encoding', () => {
  assert.throws(
    () => parseForm('title=Caf%E9'),
    (error: unknown) => error instanceof TallyError && error.code === 'invalid_encoding',
  );
});

test('a field named __proto__ is an ordinary field and changes no prototype', () => {
  const form = parseForm('__proto__=polluted&title=x');
  assert.equal(Object.getOwnPropertyDescriptor(form, '__proto__')?.value, 'polluted');
  assert.equal(Object.getPrototypeOf(form), null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
