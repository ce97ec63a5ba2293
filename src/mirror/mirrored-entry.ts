import type { JsonValue } from '../ledger/canonical-json.js';
import type { LedgerChange } from '../ledger/entry.js';
import { leafText, sha256Hex } from '../ledger/leaf.js';
import type { RemoteEntry } from './mirror-client.js';
import { MirrorError } from './mirror-error.js';

const leafFields = ['action', 'actor', 'subject', 'time'] as const;

function strictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  // Buffer.from skips what is not base64; re-encoding shows whether anything was skipped.
  return bytes.toString('base64') === text ? bytes : null;
}

/**
 * Checks one entry as served by the origin and turns it into a change the mirror's log can append: the leaf
 * must be RFC 8785 JSON naming the entry's action, actor, subject and time, and the content (unless
 * redacted there) must be the bytes its `content_sha256` names. Whether the leaves make the signed tree
 * is checked afterwards, over the whole round.
 */
export function toLedgerChange(remote: RemoteEntry, expectedIndex: number): LedgerChange {
  const fail = (why: string) =>
    new MirrorError(`Entry ${expectedIndex} from the origin is not valid: ${why}.`);
  if (remote.index !== expectedIndex) throw fail(`it came back as entry ${remote.index}`);
  const leaf = strictBase64(remote.leaf);
  if (!leaf) throw fail('its leaf is not base64');
  let fields: Record<string, JsonValue>;
  try {
    const parsed = JSON.parse(leaf.toString('utf8')) as JsonValue;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    fields = parsed;
  } catch {
    throw fail('its leaf is not a JSON object');
  }
  for (const key of leafFields) {
    if (typeof fields[key] !== 'string') throw fail(`its leaf has no "${key}"`);
    if (fields[key] !== remote[key])
      throw fail(`its leaf says ${key} "${fields[key]}", the entry "${remote[key]}"`);
  }
  const contentHash = fields.content_sha256;
  if (typeof contentHash !== 'string' || !/^[0-9a-f]{64}$/.test(contentHash)) {
    throw fail('its leaf has no hex content_sha256');
  }
  if (!Buffer.from(leafText(remote, contentHash), 'utf8').equals(leaf)) {
    throw fail('its leaf is not JSON in RFC 8785 canonical form');
  }
  let content: Buffer | null = null;
  if (remote.content === null) {
    if (!remote.redacted) throw fail('it has no content but is not marked redacted');
  } else {
    content = strictBase64(remote.content);
    if (!content) throw fail('its content is not base64');
    if (sha256Hex(content) !== contentHash)
      throw fail("its content does not hash to the leaf's content_sha256");
  }
  return {
    action: remote.action,
    actor: remote.actor,
    subject: remote.subject,
    time: remote.time,
    leaf,
    content,
    redacted: content === null,
  };
}
