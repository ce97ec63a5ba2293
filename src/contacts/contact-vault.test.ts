import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ContactVault, contactKeyFileName } from './contact-vault.js';

const vault = () => new ContactVault(randomBytes(32));

test('a sealed number opens to the same number', () => {
  const contacts = vault();
  assert.equal(contacts.unseal(contacts.seal('+254722000111')), '+254722000111');
});

test('sealing the same number twice gives two different texts, neither holding the number', () => {
  const contacts = vault();
  const first = contacts.seal('+254722000111');
  const second = contacts.seal('+254722000111');
  assert.notEqual(first, second);
  for (const sealed of [first, second]) assert.doesNotMatch(sealed, /254722000111/);
});

test('a sealed value changed by one character does not open', () => {
  const contacts = vault();
  const sealed = contacts.seal('amina@example.org');
  const last = sealed.at(-1) === 'A' ? 'B' : 'A';
  assert.throws(() => contacts.unseal(sealed.slice(0, -1) + last));
});

test('a value sealed under another key does not open', () => {
  assert.throws(() => vault().unseal(vault().seal('+254722000111')));
});

test('the lookup hash is the same for the same contact and differs across kinds and keys', () => {
  const contacts = vault();
  assert.equal(contacts.lookupOf('phone', '+254722000111'), contacts.lookupOf('phone', '+254722000111'));
  assert.notEqual(contacts.lookupOf('phone', '+254722000111'), contacts.lookupOf('phone', '+254722000112'));
  assert.notEqual(contacts.lookupOf('phone', 'x'), contacts.lookupOf('email', 'x'));
  assert.notEqual(contacts.lookupOf('phone', '+254722000111'), vault().lookupOf('phone', '+254722000111'));
});

test('the key is made once in the data directory, readable by its owner only, and used ever after', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-contacts-'));
  try {
    const sealed = ContactVault.open(dataDir).seal('+256772000111');
    const file = path.join(dataDir, contactKeyFileName);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(file, 'utf8'), 'base64').length, 32);
    assert.equal(ContactVault.open(dataDir).unseal(sealed), '+256772000111');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
