import { createHash } from 'node:crypto';

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
 * The leaf as text: RFC 8785 canonical JSON of the fields and the content's hex SHA-256. The five keys are
 * fixed and already in code-unit order and every value is a string, so writing them out is the canonical
 * form, without sorting anything: writers, `tally ledger verify` and mirrors all use this one definition.
 */
export function leafText(fields: LeafFields, contentSha256: string): string {
  return (
    `{"action":${JSON.stringify(fields.action)},"actor":${JSON.stringify(fields.actor)},` +
    `"content_sha256":${JSON.stringify(contentSha256)},"subject":${JSON.stringify(fields.subject)},` +
    `"time":${JSON.stringify(fields.time)}}`
  );
}

/**
 * The exact bytes hashed as a Merkle leaf, in UTF-8. Anyone holding the entry can rebuild them byte for byte
 * without Tally's code.
 */
export function leafBytes(fields: LeafFields, content: Uint8Array): Buffer {
  return Buffer.from(leafText(fields, sha256Hex(content)), 'utf8');
}
