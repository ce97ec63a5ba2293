import { createHash, createHmac } from 'node:crypto';
import type { Actor } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import { TallyError } from '../errors.js';
import type { JsonValue } from './canonical-json.js';
import { type LedgerChange, makeChange } from './entry.js';
import type { NoteSigner } from './signed-note.js';

/**
 * Who made a change, as the record names them: a signed-in user by a pseudonym, or one of the fixed names:
 * `anonymous` (a reporter without an account), `operator` (whoever runs the deployment: the CLI, settings),
 * `rule:auto-publish` (a survey that publishes without review), `rule:auto-approve` (a drive log that met the
 * deployment's approval rules).
 */
export type RecordActor = Actor | 'operator' | 'rule:auto-publish' | 'rule:auto-approve';

/**
 * Builds the entries of the public record. Users appear under a pseudonymous id: the same person always has
 * the same id, so the public can see that two confirmations came from two people, but not who they are.
 * The pseudonyms are keyed by the deployment's signing key, so nobody without it can test a guess.
 */
export class PublicRecord {
  private readonly pseudonymKey: Buffer | null;

  /** Without a signer (a mirror), nothing can be recorded: every change is refused. */
  constructor(
    signer: NoteSigner | null,
    private readonly clock: Clock,
  ) {
    const secret = signer?.privateKey.export({ format: 'der', type: 'pkcs8' });
    this.pseudonymKey = secret
      ? createHash('sha256').update('tally pseudonyms\n').update(secret).digest()
      : null;
  }

  get readOnly(): boolean {
    return this.pseudonymKey === null;
  }

  pseudonym(userId: string): string {
    if (!this.pseudonymKey) throw new TallyError('read_only_mirror');
    return `p-${createHmac('sha256', this.pseudonymKey).update(userId).digest('hex').slice(0, 16)}`;
  }

  actorId(actor: RecordActor): string {
    if (typeof actor === 'string') return actor;
    return actor.kind === 'user' ? this.pseudonym(actor.userId) : 'anonymous';
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  change(
    action: string,
    subject: string,
    actor: RecordActor,
    content: JsonValue,
    time = this.now(),
  ): LedgerChange {
    if (this.readOnly) throw new TallyError('read_only_mirror');
    return makeChange({ action, subject, actor: this.actorId(actor), time }, content);
  }
}
