import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { readOrCreateSecretFile } from '../secret-file.js';
import { type NoteSigner, signerFromPkcs8Pem } from './signed-note.js';

export const keyFileName = 'ledger-signing-key.pem';

/**
 * The deployment's Ed25519 signing key, made on first start and kept in the data directory (readable by its
 * owner only). Losing it means new checkpoints cannot be tied to old ones, so it belongs in backups.
 */
export function loadOrCreateSigningKey(dataDir: string, origin: string): NoteSigner {
  const pem = readOrCreateSecretFile(path.join(dataDir, keyFileName), () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  return signerFromPkcs8Pem(origin, pem);
}
