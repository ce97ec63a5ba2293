import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decoyHash, hashPassword, verifyPassword } from './password.js';

test('a hash verifies the password it was made from', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.equal(await verifyPassword('correct horse battery staple', stored), true);
});

test('a hash does not verify a different password', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
});

test('a hash names scrypt and its parameters and does not contain the password', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.ok(!stored.includes('horse'));
});

test('the same password hashes differently each time, because of the salt', async () => {
  const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
  assert.notEqual(first, second);
});

test('a password is compared in Unicode normal form, so composed and decomposed accents match', async () => {
  const stored = await hashPassword('caf\u00e9 au lait 2026');
  assert.equal(await verifyPassword('cafe\u0301 au lait 2026', stored), true);
});

test('a stored value that is not a scrypt hash verifies nothing', async () => {
  for (const stored of ['', 'plain text', 'bcrypt$10$abc$def$ghi$jkl', 'scrypt$32768$8$1$$']) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
});

test('the decoy hash is made once and verifies no ordinary password', async () => {
  const [first, second] = [await decoyHash(), await decoyHash()];
  assert.equal(first, second);
  assert.equal(await verifyPassword('correct horse battery staple', first), false);
});
