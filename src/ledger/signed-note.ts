import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

// The C2SP signed-note format (https://c2sp.org/signed-note): a text, a blank line, then one line per
// signature, "— <key name> <base64(key id ‖ signature)>". Anyone can check a note with the verifier key
// alone, without Tally's code.

const ed25519Algorithm = 0x01;
const signaturePrefix = '\u2014 ';
// DER header of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

export interface NoteVerifier {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

function checkKeyName(name: string): void {
  // Names may not be empty or hold spaces or '+', which separate the parts of a verifier key.
  if (!name || /[\s+]/u.test(name)) throw new Error(`"${name}" is not a valid key name`);
}

/** First 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key): which key made a signature. */
export function keyIdOf(name: string, publicKey: Uint8Array): Uint8Array {
  return createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, ed25519Algorithm]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The verifier key text: `<name>+<key id hex>+<base64(0x01 ‖ public key)>`. */
export function verifierKeyText(name: string, publicKey: Uint8Array): string {
  const encoded = Buffer.concat([Buffer.from([ed25519Algorithm]), publicKey]).toString('base64');
  return `${name}+${Buffer.from(keyIdOf(name, publicKey)).toString('hex')}+${encoded}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  // The key's base64 may itself hold '+', so only the first two '+' separate parts.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
  const [, name = '', idHex = '', keyBase64 = ''] = match ?? [];
  const key = Buffer.from(keyBase64, 'base64');
  if (!match || key.length !== 33 || key[0] !== ed25519Algorithm) {
    throw new Error('not an Ed25519 verifier key of the form name+keyid+base64key');
  }
  checkKeyName(name);
  const publicKey = key.subarray(1);
  const keyId = keyIdOf(name, publicKey);
  if (Buffer.from(keyId).toString('hex') !== idHex)
    throw new Error('the verifier key id does not match its key');
  return { name, keyId, publicKey };
}

export function signerFromPrivateKey(name: string, privateKey: KeyObject): NoteSigner {
  checkKeyName(name);
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { name, privateKey, publicKey: der.subarray(spkiPrefix.length) };
}

export function signerFromPkcs8Pem(name: string, pem: string): NoteSigner {
  return signerFromPrivateKey(name, createPrivateKey(pem));
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n')) throw new Error('a note text must end with a newline');
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  const line = Buffer.concat([keyIdOf(signer.name, signer.publicKey), signature]).toString('base64');
  return `${text}\n${signaturePrefix}${signer.name} ${line}\n`;
}

/**
 * Checks a note against one verifier key and returns its text, or null when no signature line by that key
 * verifies. Signatures by other keys are allowed (a note may carry witnesses' signatures too).
 */
export function openNote(note: string, verifier: NoteVerifier): string | null {
  const split = note.lastIndexOf('\n\n');
  if (split === -1 || !note.endsWith('\n')) return null;
  const text = note.slice(0, split + 1);
  const publicKey = createPublicKey({
    key: Buffer.concat([spkiPrefix, verifier.publicKey]),
    format: 'der',
    type: 'spki',
  });
  for (const line of note.slice(split + 2, -1).split('\n')) {
    if (!line.startsWith(signaturePrefix)) return null;
    const [name, encoded] = line.slice(signaturePrefix.length).split(' ');
    if (name !== verifier.name || !encoded) continue;
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== 68 || !bytes.subarray(0, 4).equals(Buffer.from(verifier.keyId))) continue;
    if (verify(null, Buffer.from(text, 'utf8'), publicKey, bytes.subarray(4))) return text;
  }
  return null;
}
