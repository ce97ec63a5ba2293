import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDatabase, openTestDatabase } from '../../test/helpers/databases.js';
import { uuidv7 } from '../ids.js';
import { makeChange } from '../ledger/entry.js';
import { LedgerRepository } from '../ledger/ledger.repository.js';
import type { Report } from './report.js';
import { ReportsRepository } from './reports.repository.js';

function newReport(overrides: Partial<Report> = {}): Omit<Report, 'seq'> {
  const now = new Date().toISOString();
  return {
    id: uuidv7(),
    surveyId: 'default',
    title: 'Road blocked by a fallen tree',
    description: 'Near the school gate',
    location: { lat: 51.5072, lon: -0.1276, accuracyM: 20 },
    locationName: 'Westminster',
    occurredAt: now,
    receivedAt: now,
    updatedAt: now,
    publishedAt: null,
    publishedBy: null,
    status: 'pending',
    verification: 'unverified',
    sensitivity: 'exact',
    authorName: null,
    contact: null,
    source: 'api',
    revision: 1,
    fields: {},
    createdBy: null,
    categories: [],
    idempotency: null,
    ...overrides,
  };
}

forEachDatabase('reports repository', (open) => {
  test('a report stored together with a failing one is kept, and only the failing one is refused', async () => {
    const db = await open();
    const repository = new ReportsRepository(
      db.kysely,
      db.dialect,
      new LedgerRepository(db.kysely, db.dialect, db.sqlite),
      db.sqlite,
    );
    const good = newReport();
    const broken = newReport({ categories: ['no-such-category'] });
    const [kept, refused] = await Promise.allSettled([repository.insert(good), repository.insert(broken)]);
    assert.equal(kept.status, 'fulfilled');
    assert.equal(refused.status, 'rejected');
    assert.equal((await repository.findById(good.id))?.title, good.title);
    assert.equal(await repository.findById(broken.id), undefined);
  });

  test('reports stored together each put their entry on the record (in the order they came on SQLite), and a failing one puts none', async () => {
    const db = await open();
    const ledger = new LedgerRepository(db.kysely, db.dialect, db.sqlite);
    const repository = new ReportsRepository(db.kysely, db.dialect, ledger, db.sqlite);
    const reports = [newReport(), newReport({ categories: ['no-such-category'] }), newReport()];
    const changeOf = (report: Omit<Report, 'seq'>) =>
      makeChange(
        {
          action: 'report.published',
          subject: `report:${report.id}`,
          actor: 'operator',
          time: report.updatedAt,
        },
        { id: report.id },
      );
    await Promise.allSettled(reports.map((report) => repository.insert(report, [changeOf(report)])));
    const recorded = (await ledger.range(0, 10)).map((entry) => entry.subject);
    const expected = [`report:${reports[0]!.id}`, `report:${reports[2]!.id}`];
    // SQLite stores the reports of one turn as one batch, in the order they came; on PostgreSQL each is its
    // own transaction, and concurrent ones take the record's head in whichever order they reach it.
    assert.deepEqual(
      db.dialect === 'sqlite' ? recorded : [...recorded].sort(),
      db.dialect === 'sqlite' ? expected : [...expected].sort(),
    );
    assert.equal((await ledger.head()).size, 2);
  });

  test('a stored report reads back exactly as it was written', async () => {
    const db = await open();
    const repository = new ReportsRepository(
      db.kysely,
      db.dialect,
      new LedgerRepository(db.kysely, db.dialect, db.sqlite),
      db.sqlite,
    );
    const report = newReport({ fields: { people_affected: 12 }, contact: '+447700900123' });
    const seq = await repository.insert(report);
    assert.deepEqual(await repository.findById(report.id), { ...report, seq });
  });
});

test('on SQLite, reports submitted while another transaction is open are stored after it, not inside it', async () => {
  const db = await openTestDatabase('sqlite');
  try {
    const repository = new ReportsRepository(
      db.kysely,
      db.dialect,
      new LedgerRepository(db.kysely, db.dialect, db.sqlite),
      db.sqlite,
    );
    const report = newReport();
    let stored: Promise<number> | undefined;
    await db.kysely
      .transaction()
      .execute(async (trx) => {
        stored = repository.insert(report);
        // Give the batch every chance to run while this transaction is still open.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        await trx.selectFrom('reports').select('id').execute();
        throw new Error('roll this transaction back');
      })
      .catch(() => undefined);
    await stored;
    assert.equal((await repository.findById(report.id))?.id, report.id);
  } finally {
    await db.destroy();
  }
});
