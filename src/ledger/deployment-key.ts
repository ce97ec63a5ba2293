import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    // 'wx' fails if another process created the key meanwhile; then we read theirs below.
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return signerFromPkcs8Pem(origin, readFileSync(file, 'utf8'));
}
