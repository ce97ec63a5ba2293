import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** What one public change records. The content itself is stored beside the leaf, so it can be redacted. */
export interface LeafFields {
  /** e.g. `report.published`, `report.edited`, `vote.cast`, `role.granted`, `content.redacted`. */
  action: string;
  /** A pseudonymous id of who did it, never an e-mail or a name. */
  actor: string;
  /** What it was done to, e.g. `report:0192…`. */
  subject: string;
  /** RFC 3339 UTC. */
  time: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The exact bytes hashed as a Merkle leaf: RFC 8785 canonical JSON of the fields and the hex SHA-256 of the
 * content, in UTF-8. Anyone holding the entry can rebuild them byte for byte without Tally's code.
 */
export function leafBytes(fields: LeafFields, content: Uint8Array): Buffer {
  return Buffer.from(
    canonicalJson({
      action: fields.action,
      actor: fields.actor,
      content_sha256: sha256Hex(content),
      subject: fields.subject,
      time: fields.time,
    }),
    'utf8',
  );
}
