import { type Actor, requireRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import { TallyError, validationError } from '../errors.js';
import type { PublicRecord, RecordActor } from '../ledger/public-record.js';
import type { VonageSignatureMethod } from '../messages/gateways/vonage.js';
import { checkChannelTargets } from '../messages/outbound-targets.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import {
  type Channel,
  type ChannelKind,
  isChannelKind,
  kindDefinitions,
  publicChannelContent,
} from './channel.js';
import type { ChannelsRepository } from './channels.repository.js';

export interface NewChannelInput {
  id: string;
  kind: string;
  name?: string;
  settings?: Record<string, string>;
  secrets: Record<string, string>;
}

/** A channel with its secrets in the clear: for checking a gateway's request, never for showing. */
export interface ChannelWithSecrets {
  channel: Channel;
  secrets: Record<string, string>;
}

const channelId = /^[a-z0-9][a-z0-9-]{0,62}$/;
const vonageSignatureMethods: readonly VonageSignatureMethod[] = [
  'md5hash',
  'md5',
  'sha1',
  'sha256',
  'sha512',
];

export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    /** Seals secrets with the same key as contacts: a copy of the database alone holds neither. */
    private readonly vault: ContactVault,
    private readonly clock: Clock,
    /** Gateways' URLs and mail servers must be hosts Tally may connect to. */
    private readonly outbound: OutboundPolicy,
    /** Every channel's creation, switching off and on, and deletion is a `channel.*` entry. */
    private readonly record: PublicRecord,
  ) {}

  async add(actor: Actor, input: NewChannelInput): Promise<Channel> {
    requireRole(actor, 'coordinator', 'add a channel');
    return this.addAsOperator(input, actor);
  }

  /** Adds a channel for whoever runs the server (`tally channel add`), who holds its data directory anyway. */
  async addAsOperator(input: NewChannelInput, recordedAs: RecordActor = 'operator'): Promise<Channel> {
    if (!channelId.test(input.id)) {
      throw validationError('/id', 'lower-case letters, digits and dashes, starting with a letter or digit');
    }
    if (!isChannelKind(input.kind)) {
      throw validationError('/kind', `must be one of ${Object.keys(kindDefinitions).join(', ')}`);
    }
    const kind: ChannelKind = input.kind;
    const { required, optional } = kindDefinitions[kind];
    for (const name of required) {
      if (!input.secrets[name]) throw validationError(`/secrets/${name}`, `a ${kind} channel needs it`);
    }
    for (const [name, value] of Object.entries(input.secrets)) {
      if (!required.includes(name) && !optional.includes(name)) {
        throw validationError(`/secrets/${name}`, `a ${kind} channel keeps no such secret`);
      }
      if (typeof value !== 'string' || value.length === 0) {
        throw validationError(`/secrets/${name}`, 'must be a non-empty string');
      }
    }
    if (kind === 'vonage' && !input.secrets.signatureSecret && !input.secrets.secret) {
      throw validationError('/secrets', 'a vonage channel needs a signatureSecret or a secret');
    }
    const method = input.settings?.signatureMethod;
    if (method !== undefined && !vonageSignatureMethods.includes(method as VonageSignatureMethod)) {
      throw validationError(
        '/settings/signatureMethod',
        `must be one of ${vonageSignatureMethods.join(', ')}`,
      );
    }
    checkChannelTargets(this.outbound, kind, input.settings ?? {});
    const now = this.clock.now().toISOString();
    const secretNames = Object.keys(input.secrets).sort();
    const created = this.createdChange(recordedAs, {
      id: input.id,
      kind,
      name: input.name ?? input.id,
      settings: input.settings ?? {},
      now,
    });
    const stored = await this.channels.insert(
      {
        id: input.id,
        kind,
        name: input.name ?? input.id,
        settings: input.settings ?? {},
        secretNames,
        sealedSecrets: this.vault.seal(JSON.stringify(input.secrets)),
        createdAt: now,
      },
      [created],
    );
    if (!stored) throw await this.idTaken(input.id);
    const added = await this.channels.findById(input.id);
    if (!added) throw new TallyError('channel_not_found');
    return added.channel;
  }

  async list(actor: Actor): Promise<Channel[]> {
    requireRole(actor, 'coordinator', 'see the channels');
    return this.listAsOperator();
  }

  listAsOperator(): Promise<Channel[]> {
    return this.channels.list();
  }

  /** The channel a gateway's request names, of the kind its URL says; null when there is none such. */
  async forGateway(id: string, kind: ChannelKind): Promise<ChannelWithSecrets | null> {
    const stored = await this.channels.findById(id);
    if (!stored || stored.channel.kind !== kind || !stored.channel.enabled) return null;
    return { channel: stored.channel, secrets: this.unsealed(stored.sealedSecrets) };
  }

  /**
   * Every gateway request needs its channel's secrets: they are unsealed once per sealed value, not once per
   * message. A sealed value never changes once written, so the cache cannot go stale.
   */
  private unsealed(sealed: string): Record<string, string> {
    let secrets = this.secretsBySealed.get(sealed);
    if (!secrets) {
      secrets = JSON.parse(this.vault.unseal(sealed)) as Record<string, string>;
      this.secretsBySealed.set(sealed, secrets);
    }
    return secrets;
  }

  private readonly secretsBySealed = new Map<string, Record<string, string>>();

  /** The channel an outbound message goes through, with the secrets to send with; null when gone or off. */
  async forSending(id: string): Promise<ChannelWithSecrets | null> {
    const stored = await this.channels.findById(id);
    if (!stored?.channel.enabled) return null;
    return this.forGateway(id, stored.channel.kind);
  }

  /** Every enabled channel of a kind, with its secrets: the mailboxes Tally reads itself. */
  async withSecretsOfKind(kind: ChannelKind): Promise<ChannelWithSecrets[]> {
    const channels = (await this.channels.list()).filter(
      (channel) => channel.kind === kind && channel.enabled,
    );
    const found = await Promise.all(channels.map((channel) => this.forGateway(channel.id, kind)));
    return found.filter((channel): channel is ChannelWithSecrets => channel !== null);
  }

  countRefused(id: string): Promise<void> {
    return this.channels.countRefused(id);
  }

  async setEnabled(actor: Actor, id: string, enabled: boolean): Promise<Channel> {
    requireRole(actor, 'coordinator', enabled ? 'switch a channel on' : 'switch a channel off');
    return this.setEnabledAsOperator(id, enabled, actor);
  }

  /**
   * Switches a channel off (its gateway's requests are refused with `channel_disabled`, its queued messages
   * wait) or on again. Asking for the state it is in changes nothing and records nothing.
   */
  async setEnabledAsOperator(
    id: string,
    enabled: boolean,
    recordedAs: RecordActor = 'operator',
  ): Promise<Channel> {
    const current = (await this.live(id)).channel;
    if (current.enabled === enabled) return current;
    const now = this.clock.now().toISOString();
    const after: Channel = { ...current, enabled, updatedAt: now };
    const change = this.record.change(
      enabled ? 'channel.enabled' : 'channel.disabled',
      `channel:${id}`,
      recordedAs,
      publicChannelContent(after),
    );
    if (!(await this.channels.setEnabled(id, enabled, now, [change]))) return (await this.live(id)).channel;
    return after;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requireRole(actor, 'coordinator', 'delete a channel');
    await this.removeAsOperator(id, actor);
  }

  /**
   * Deletes a channel: its secrets and private settings are erased, its queued messages fail, and its id
   * stays taken. The messages it brought stay in the inbox, still naming it.
   */
  async removeAsOperator(id: string, recordedAs: RecordActor = 'operator'): Promise<void> {
    const stored = await this.live(id);
    const now = this.clock.now().toISOString();
    const after: Channel = {
      ...stored.channel,
      enabled: false,
      updatedAt: now,
      deletedAt: now,
    };
    const change = this.record.change(
      'channel.deleted',
      `channel:${id}`,
      recordedAs,
      publicChannelContent(after),
    );
    const reason = `the channel ${id} was deleted before it was sent`;
    if (!(await this.channels.markDeleted(stored, now, reason, [change]))) {
      throw new TallyError('channel_deleted', `The channel "${id}" was deleted`);
    }
    this.secretsBySealed.delete(stored.sealedSecrets);
  }

  /**
   * The channel a gateway's request names, with its secrets, or why the request is refused: none such, a
   * channel switched off (the gateway should not try again: nothing it sends now is stored), or a deleted one.
   */
  async forGatewayRequest(id: string, kind: ChannelKind): Promise<ChannelWithSecrets> {
    const stored = await this.channels.findById(id);
    if (!stored || stored.channel.kind !== kind) {
      throw new TallyError('channel_not_found', `No ${kind} channel "${id}"`);
    }
    if (stored.channel.deletedAt) {
      throw new TallyError('channel_deleted', `The ${kind} channel "${id}" was deleted; stop calling it`);
    }
    if (!stored.channel.enabled) {
      throw new TallyError(
        'channel_disabled',
        `The ${kind} channel "${id}" is switched off; nothing sent to it is stored`,
      );
    }
    return { channel: stored.channel, secrets: this.unsealed(stored.sealedSecrets) };
  }

  /**
   * Puts channels added before channels were on the public record there (`channel.created` by the operator,
   * with their state now), so that the record accounts for every channel. Run at start; true when it did.
   */
  async recordUnrecorded(): Promise<boolean> {
    const changes = (await this.channels.unrecorded()).map((channel) =>
      this.record.change(
        channel.deletedAt ? 'channel.deleted' : 'channel.created',
        `channel:${channel.id}`,
        'operator',
        publicChannelContent(channel),
      ),
    );
    return this.channels.recordAlone(changes);
  }

  /** A channel that is not deleted, or why it cannot be changed. */
  private async live(id: string) {
    const stored = await this.channels.findById(id);
    if (!stored) throw new TallyError('channel_not_found', `No channel "${id}"`);
    if (stored.channel.deletedAt) throw new TallyError('channel_deleted', `The channel "${id}" was deleted`);
    return stored;
  }

  private createdChange(
    actor: RecordActor,
    fields: { id: string; kind: ChannelKind; name: string; settings: Record<string, string>; now: string },
  ) {
    const channel: Channel = {
      id: fields.id,
      kind: fields.kind,
      name: fields.name,
      settings: fields.settings,
      secretNames: [],
      enabled: true,
      refusedRequests: 0,
      createdAt: fields.now,
      updatedAt: fields.now,
      deletedAt: null,
    };
    return this.record.change(
      'channel.created',
      `channel:${fields.id}`,
      actor,
      publicChannelContent(channel),
    );
  }

  private async idTaken(id: string): Promise<TallyError> {
    const existing = await this.channels.findById(id);
    return existing?.channel.deletedAt
      ? new TallyError(
          'channel_exists',
          `A deleted channel had the id "${id}": ids are not used again, so that its messages stay its own`,
        )
      : new TallyError('channel_exists', `There is already a channel "${id}"`);
  }
}
