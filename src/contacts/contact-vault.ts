/**
 * How a reporter's phone number or e-mail address is kept: never in the clear. A keyed hash finds the
 * contact again when the same number writes twice; the value itself is sealed with AES-256-GCM so that a
 * reply can be sent. The key lives in the data directory, apart from the database: a copy of the database
 * alone (a backup, a leaked dump) names nobody.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { readOrCreateSecretFile } from '../secret-file.js';

export const contactKeyFileName = 'contact-key';

const sealPrefix = 'v1.';
const ivLength = 12;
const tagLength = 16;

export type ContactKind = 'phone' | 'email';

export class ContactVault {
  private readonly lookupKey: Buffer;
  private readonly sealKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the contact key must be 32 bytes');
    // One key in the file, two uses: neither the hashes nor the ciphertexts say anything about the other.
    this.lookupKey = Buffer.from(hkdfSync('sha256', masterKey, '', 'tally contact lookup', 32));
    this.sealKey = Buffer.from(hkdfSync('sha256', masterKey, '', 'tally contact seal', 32));
  }

  /** The vault of this data directory, its key made on first use. */
  static open(dataDir: string): ContactVault {
    const text = readOrCreateSecretFile(path.join(dataDir, contactKeyFileName), () =>
      randomBytes(32).toString('base64'),
    );
    return new ContactVault(Buffer.from(text.trim(), 'base64'));
  }

  /** The same hash for the same normalised contact, and no way back from it without the key. */
  lookupOf(kind: ContactKind, normalized: string): string {
    return createHmac('sha256', this.lookupKey).update(`${kind}:${normalized}`, 'utf8').digest('hex');
  }

  seal(text: string): string {
    const iv = randomBytes(ivLength);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return sealPrefix + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The sealed text, or an error if it was sealed under another key or changed since. */
  unseal(sealed: string): string {
    if (!sealed.startsWith(sealPrefix)) throw new Error('not a sealed value');
    const bytes = Buffer.from(sealed.slice(sealPrefix.length), 'base64url');
    if (bytes.length < ivLength + tagLength) throw new Error('the sealed value is cut short');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, bytes.subarray(0, ivLength));
    decipher.setAuthTag(bytes.subarray(ivLength, ivLength + tagLength));
    return Buffer.concat([decipher.update(bytes.subarray(ivLength + tagLength)), decipher.final()]).toString(
      'utf8',
    );
  }
}
