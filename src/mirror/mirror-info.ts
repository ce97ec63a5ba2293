import type { License } from '../config.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import { settingsSubject } from '../ledger/public-settings.js';
import { parseContent } from '../ledger/record-content.js';
import type { MirrorRepository } from './mirror.repository.js';

/** What a mirror tells its readers about where its data comes from. */
export interface MirrorDescription {
  /** The origin's log, as its checkpoints name it. */
  origin: string;
  url: string;
  syncedAt: string | null;
  /** The origin's name and the licence its data is published under, as its recorded settings say. */
  name: string | null;
  license: License | null;
}

function licenseOf(value: unknown): License | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, name, url } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof name === 'string' && typeof url === 'string'
    ? { id, name, url }
    : null;
}

/**
 * Read side for the HTTP routes. The mirror's tables are written by `tally mirror`, usually another
 * process, so nothing is cached: each answer reads the stored source and the latest recorded settings.
 */
export class MirrorInfo {
  constructor(
    private readonly mirrors: MirrorRepository,
    private readonly ledger: LedgerRepository,
    /** False on a deployment that signs its own record: then there is nothing to read. */
    private readonly isMirror: boolean,
  ) {}

  async describe(): Promise<MirrorDescription | null> {
    if (!this.isMirror) return null;
    const source = await this.mirrors.source();
    if (!source) return null;
    const settings = parseContent<Record<string, unknown>>(
      (await this.ledger.latestOfSubject(settingsSubject))?.content ?? null,
    );
    return {
      origin: source.origin,
      url: source.url,
      syncedAt: source.syncedAt,
      name: typeof settings?.name === 'string' ? settings.name : null,
      license: licenseOf(settings?.reports_license),
    };
  }
}
