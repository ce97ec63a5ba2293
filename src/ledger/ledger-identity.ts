import { hostname } from 'node:os';
import { type Config, ConfigError } from '../config.js';
import type { Db } from '../db/database.js';
import { loadOrCreateSigningKey } from './deployment-key.js';
import type { LedgerRepository } from './ledger.repository.js';
import type { LedgerIdentity } from './ledger.service.js';
import { keyIdOf, parseVerifierKey } from './signed-note.js';

function defaultOrigin(config: Config): string {
  if (config.publicUrl) {
    const url = new URL(config.publicUrl);
    return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  }
  return `${hostname().replace(/[^\w.-]/g, '-') || 'localhost'}/tally`;
}

/**
 * Which log this deployment keeps and the key it signs with. The origin is fixed at first start (stored with
 * the log) so that checkpoints signed later still name the same log. A mirror serves another deployment's
 * log: its identity is that deployment's origin and public key, with no signer.
 */
export async function openLedgerIdentity(
  db: Db,
  ledger: LedgerRepository,
  config: Config,
): Promise<LedgerIdentity> {
  const mirrored = await db.kysely
    .selectFrom('mirror_source')
    .selectAll()
    .where('id', '=', 1)
    .executeTakeFirst();
  if (mirrored) {
    return { origin: mirrored.origin, signer: null, verifier: parseVerifierKey(mirrored.verifier_key) };
  }
  const { origin: recorded } = await ledger.head();
  if (config.ledgerOrigin && recorded && config.ledgerOrigin !== recorded) {
    throw new ConfigError(
      `TALLY_LEDGER_ORIGIN is "${config.ledgerOrigin}" but this deployment's public record is "${recorded}"; an origin cannot change`,
    );
  }
  const origin = recorded ?? (await ledger.claimOrigin(config.ledgerOrigin ?? defaultOrigin(config)));
  const signer = loadOrCreateSigningKey(config.dataDir, origin);
  return {
    origin,
    signer,
    verifier: {
      name: signer.name,
      keyId: keyIdOf(signer.name, signer.publicKey),
      publicKey: signer.publicKey,
    },
  };
}
