import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizePhoneNumber } from './phone-number.js';

test('an international number keeps its E.164 form and gives its country', () => {
  assert.deepEqual(normalizePhoneNumber('+254722000111', null), { e164: '+254722000111', country: 'KE' });
});

test('a number without its plus, as Kannel and Africa’s Talking write it, is read as international', () => {
  assert.deepEqual(normalizePhoneNumber('256772000111', 'KE'), { e164: '+256772000111', country: 'UG' });
});

test('a local number with its trunk prefix is read in the deployment’s country', () => {
  assert.deepEqual(normalizePhoneNumber('0722 000 111', 'KE'), { e164: '+254722000111', country: 'KE' });
});

test('spaces, dashes and brackets do not matter', () => {
  assert.equal(normalizePhoneNumber('+1 (415) 867-5309', null)?.e164, '+14158675309');
});

test('an alphanumeric sender or a short code is not a phone number', () => {
  assert.equal(normalizePhoneNumber('MPESA', 'KE'), null);
  assert.equal(normalizePhoneNumber('22141', 'KE'), null);
});

test('a local number with no country to read it in is not a phone number', () => {
  assert.equal(normalizePhoneNumber('0722000111', null), null);
});
