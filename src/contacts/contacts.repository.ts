import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';

export const trustLevels = ['normal', 'trusted', 'blocked'] as const;
export type Trust = (typeof trustLevels)[number];

export class ContactsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Who is trusted is a public change, recorded in the same transaction. */
    private readonly ledger: LedgerRepository,
  ) {}

  /** Sets a contact's trust with its entry on the public record; false when there is no such contact. */
  async setTrust(id: string, trust: Trust, changes: readonly LedgerChange[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('contacts').set({ trust }).where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.ledger.append(trx, changes);
      return true;
    });
  }
}
