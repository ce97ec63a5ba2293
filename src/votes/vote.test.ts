import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verificationOf } from './vote.js';

test('a report with no votes is unverified', () => {
  assert.equal(verificationOf([], 2), 'unverified');
});

test('confirmations up to the threshold verify a report', () => {
  assert.equal(verificationOf(['confirm'], 2), 'unverified');
  assert.equal(verificationOf(['confirm', 'confirm'], 2), 'verified');
});

test('one rejection puts a report in dispute even when enough volunteers confirmed it', () => {
  assert.equal(verificationOf(['confirm', 'confirm', 'confirm', 'reject'], 2), 'disputed');
});

test('rejections alone do not make a dispute', () => {
  assert.equal(verificationOf(['reject', 'reject'], 2), 'unverified');
});

test('requests for more information count for neither side', () => {
  assert.equal(verificationOf(['needs_info', 'confirm', 'needs_info'], 2), 'unverified');
});
