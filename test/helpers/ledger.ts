import assert from 'node:assert/strict';
import type { App } from '../../src/app.js';
import type { EntryView } from '../../src/ledger/ledger.service.js';

/** An entry of the public record as the API serves it. */
export type EntryJson = EntryView;

/** One page of `GET /api/v1/ledger/entries`, asserting it succeeded. */
export async function ledgerPage(
  app: App,
  start = 0,
  end = 1000,
): Promise<{ tree_size: number; entries: EntryJson[] }> {
  const response = await app.inject({ url: `/api/v1/ledger/entries?start=${start}&end=${end}` });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

/** The first thousand entries, enough for any test's record. */
export async function ledgerEntries(app: App): Promise<EntryJson[]> {
  return (await ledgerPage(app)).entries;
}

/** A report's entries, oldest first, through `GET /api/v1/reports/{id}/history`. */
export async function historyOf(app: App, reportId: string): Promise<EntryJson[]> {
  const response = await app.inject({ url: `/api/v1/reports/${reportId}/history` });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ entries: EntryJson[] }>().entries;
}

/** An entry's content, decoded from base64 and parsed. */
export function contentOf(entry: EntryJson): Record<string, unknown> {
  assert.ok(entry.content, `entry ${entry.index} has no content`);
  return JSON.parse(Buffer.from(entry.content, 'base64').toString('utf8'));
}
