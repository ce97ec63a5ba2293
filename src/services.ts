import { AccountsService } from './accounts/accounts.service.js';
import { UsersRepository } from './accounts/users.repository.js';
import { CategoriesRepository } from './categories/categories.repository.js';
import { CategoriesService } from './categories/categories.service.js';
import { ChannelsRepository } from './channels/channels.repository.js';
import { ChannelsService } from './channels/channels.service.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { ContactVault } from './contacts/contact-vault.js';
import { ContactsRepository } from './contacts/contacts.repository.js';
import type { Db } from './db/database.js';
import { LocalPlacesRepository } from './geo/local-places.repository.js';
import { LocalPlacesService } from './geo/local-places.service.js';
import { PlacesService } from './geo/places.service.js';
import { LedgerRepository } from './ledger/ledger.repository.js';
import { type LedgerIdentity, LedgerService } from './ledger/ledger.service.js';
import { openLedgerIdentity } from './ledger/ledger-identity.js';
import { PublicRecord } from './ledger/public-record.js';
import { recordPublicSettings } from './ledger/public-settings.js';
import { MailPolling } from './messages/email/mail-polling.js';
import { InboxService } from './messages/inbox.service.js';
import { MessagesRepository } from './messages/messages.repository.js';
import { OutboxRepository } from './messages/outbox.repository.js';
import { OutboxService } from './messages/outbox.service.js';
import { MirrorRepository } from './mirror/mirror.repository.js';
import { MirrorInfo } from './mirror/mirror-info.js';
import { OutboundPolicy } from './outbound/policy.js';
import { ReportsRepository } from './reports/reports.repository.js';
import { ReportsService } from './reports/reports.service.js';
import { DevicesRepository } from './sensors/devices.repository.js';
import { DevicesService } from './sensors/devices.service.js';
import { FeedsRepository } from './sensors/feeds.repository.js';
import { FeedsService } from './sensors/feeds.service.js';
import { ImportsRepository } from './sensors/imports.repository.js';
import { ImportsService } from './sensors/imports.service.js';
import { MqttIngest } from './sensors/mqtt-ingest.js';
import { OpenDataService } from './sensors/open-data.service.js';
import { ReadingsRepository } from './sensors/readings.repository.js';
import { ReadingsService } from './sensors/readings.service.js';
import { UplinkIngest } from './sensors/uplinks.js';
import { SurveysRepository } from './surveys/surveys.repository.js';
import { VotesRepository } from './votes/votes.repository.js';
import { VotesService } from './votes/votes.service.js';

export interface Services {
  accounts: AccountsService;
  categories: CategoriesService;
  reports: ReportsService;
  votes: VotesService;
  places: PlacesService;
  /** The deployment's own place list. */
  localPlaces: LocalPlacesService;
  channels: ChannelsService;
  inbox: InboxService;
  /** Outbound messages: queued, sent by `start()`ed rounds, with their delivery reports. */
  outbox: OutboxService;
  /** The e-mail channels' mailboxes, read by `start()`ed rounds. */
  mail: MailPolling;
  /** Sensors: their owners register them; each has a token to send readings with. */
  devices: DevicesService;
  /** Drive logs: imported, reviewed, and once approved on the map. */
  imports: ImportsService;
  /** Live readings in; the map's cells, series and tracks out. */
  readings: ReadingsService;
  /** Every wire format readings arrive in, over HTTP or MQTT. */
  uplinks: UplinkIngest;
  /** Brokers owners asked Tally to read their devices' uplinks from (The Things Network, Safecast). */
  feeds: FeedsService;
  /** Readings over MQTT: devices on Tally's own broker and the sensor feeds, read once `start()`ed. */
  mqtt: MqttIngest;
  /** Public readings and their cell aggregates, paged for the open-data downloads. */
  openData: OpenDataService;
  ledger: LedgerService;
  /** Who this log is: its origin and keys; on a mirror, the origin's. */
  identity: LedgerIdentity;
  /** Read-only on a mirror, which records no changes of its own. */
  record: PublicRecord;
  /** Where a mirror copies from (null on a deployment that keeps its own record). */
  mirror: MirrorInfo;
  /**
   * Puts the settings the public sees on the record if they changed since last recorded (at start), and
   * channels added before channels were recorded; true when the settings changed.
   */
  recordPublicSettings(): Promise<boolean>;
}

/**
 * The composition root: repositories over the database, services over the repositories. Every repository
 * that makes public changes records them through the one ledger repository, in the same transaction.
 */
/** Where gateways and readers reach this deployment: TALLY_PUBLIC_URL, else where it listens (set once listening). */
function publicBaseOf(config: Config): string {
  return config.publicUrl ? new URL(config.publicUrl).origin : `http://127.0.0.1:${config.port}`;
}

export async function createServices(db: Db, clock: Clock, config: Config): Promise<Services> {
  const ledgerRepository = new LedgerRepository(db.kysely, db.dialect, db.sqlite);
  const identity = await openLedgerIdentity(db, ledgerRepository, config);
  // A mirror holds no signing key, so its record refuses every change.
  const record = new PublicRecord(identity.signer, clock);
  const categories = new CategoriesService(
    new CategoriesRepository(db.kysely, ledgerRepository),
    record,
    clock,
  );
  const surveys = new SurveysRepository(db.kysely);
  const reports = new ReportsService(
    new ReportsRepository(db.kysely, db.dialect, ledgerRepository, db.sqlite),
    surveys,
    categories,
    record,
    clock,
    config.allowSelfReview,
  );
  // Reporters' numbers and the gateways' secrets are sealed with a key kept beside the data, not in it.
  const vault = ContactVault.open(config.dataDir);
  const places = new PlacesService();
  const localPlaces = new LocalPlacesService(new LocalPlacesRepository(db.kysely), clock);
  const channels = new ChannelsRepository(db.kysely, ledgerRepository);
  // Every connection to a host someone typed (gateways, mail servers, feeds' brokers) goes through it.
  const outbound = new OutboundPolicy(config.outboundAllowedHosts);
  const channelsService = new ChannelsService(channels, vault, clock, outbound, record);
  const outbox = new OutboxService(
    new OutboxRepository(db.kysely),
    channelsService,
    vault,
    clock,
    publicBaseOf(config),
    outbound,
  );
  const inbox = new InboxService({
    messages: new MessagesRepository(db.kysely),
    contacts: new ContactsRepository(db.kysely, ledgerRepository),
    reports,
    outbox,
    vault,
    record,
    clock,
    channelOf: async (id) => (await channels.findById(id))?.channel,
    keywordRouter: () => categories.keywordRouter(),
    gazetteer: places,
    knownPlaces: () => localPlaces.all(),
    reportLink: (reportId) =>
      config.publicUrl ? `${new URL(config.publicUrl).origin}/reports/${reportId}` : null,
    countries: config.countries,
    senderMessagesPerMinute: config.senderMessagesPerMinute,
    channelMessagesPerMinute: config.channelMessagesPerMinute,
  });
  reports.onPublished(async (report) => {
    try {
      await inbox.noticePublished(report.id);
    } catch (error) {
      outbox.warn({ err: error, report: report.id }, 'could not queue the notices of a published report');
    }
  });
  const devices = new DevicesService(new DevicesRepository(db.kysely, ledgerRepository), record, clock);
  const readingsRepository = new ReadingsRepository(db.kysely, db.dialect, db.sqlite);
  const imports = new ImportsService(
    new ImportsRepository(db.kysely, readingsRepository, ledgerRepository),
    devices,
    record,
    clock,
    config.importAutoApproval,
    config.allowSelfReview,
  );
  const readings = new ReadingsService(readingsRepository, devices, imports, clock);
  // Once after an upgrade that moved stored readings: the cells must not keep where they were.
  await readings.rebuildCellsIfAsked();
  const uplinks = new UplinkIngest(readings, devices, clock);
  const feeds = new FeedsService(
    new FeedsRepository(db.kysely),
    vault,
    clock,
    config.feedBrokerHosts,
    outbound,
  );
  return {
    accounts: new AccountsService(new UsersRepository(db.kysely, ledgerRepository), record, clock),
    categories,
    reports,
    votes: new VotesService(
      new VotesRepository(db.kysely, db.dialect, ledgerRepository),
      reports,
      record,
      config.verificationThreshold,
    ),
    places,
    localPlaces,
    channels: channelsService,
    inbox,
    outbox,
    mail: new MailPolling(channelsService, inbox, outbound),
    devices,
    imports,
    readings,
    uplinks,
    feeds,
    mqtt: new MqttIngest(uplinks, feeds, { brokerUrl: config.mqttUrl, deployment: identity.origin }),
    openData: new OpenDataService(readingsRepository),
    ledger: new LedgerService(ledgerRepository, identity, record, clock),
    identity,
    record,
    mirror: new MirrorInfo(new MirrorRepository(db.kysely), ledgerRepository, identity.signer === null),
    recordPublicSettings: async () => {
      const changed = await recordPublicSettings(ledgerRepository, record, surveys, config);
      await channelsService.recordUnrecorded();
      return changed;
    },
  };
}
