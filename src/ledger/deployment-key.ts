import { generateKeyPairSync } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type NoteSigner, signerFromPkcs8Pem } from './signed-note.js';

export const keyFileName = 'ledger-signing-key.pem';

/**
 * The deployment's Ed25519 signing key, made on first start and kept in the data directory (readable by its
 * owner only). Losing it means new checkpoints cannot be tied to old ones, so it belongs in backups.
 */
export function loadOrCreateSigningKey(dataDir: string, origin: string): NoteSigner {
  const file = path.join(dataDir, keyFileName);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    // Written whole under a name of its own, then linked into place: another process starting at the same
    // moment never reads a half-written key, and a link fails if one of them linked its key first (then
    // everyone reads that one below).
    const draft = `${file}.${process.pid}.${Date.now()}`;
    try {
      writeFileSync(draft, pem, { mode: 0o600, flag: 'wx' });
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  return signerFromPkcs8Pem(origin, readFileSync(file, 'utf8'));
}
