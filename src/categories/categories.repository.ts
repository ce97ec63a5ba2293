import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';

export interface Category {
  id: string;
  parentId: string | null;
  name: string;
  description: string;
  color: string | null;
  position: number;
  translations: Record<string, { name?: string; description?: string }>;
  createdAt: string;
  updatedAt: string;
}

type Row = Database['categories'];

function toCategory(row: Row): Category {
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    description: row.description,
    color: row.color,
    position: row.position,
    translations: JSON.parse(row.translations) as Category['translations'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(category: Category): Row {
  return {
    id: category.id,
    parent_id: category.parentId,
    name: category.name,
    description: category.description,
    color: category.color,
    position: category.position,
    translations: JSON.stringify(category.translations),
    created_at: category.createdAt,
    updated_at: category.updatedAt,
  };
}

export class CategoriesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Category changes are public, recorded in the same transaction. */
    private readonly ledger: LedgerRepository,
  ) {}

  async list(): Promise<Category[]> {
    const rows = await this.db
      .selectFrom('categories')
      .selectAll()
      .orderBy('position')
      .orderBy('name')
      .execute();
    return rows.map(toCategory);
  }

  async findById(id: string): Promise<Category | undefined> {
    const row = await this.db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toCategory(row) : undefined;
  }

  async insert(category: Category, changes: readonly LedgerChange[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('categories').values(toRow(category)).execute();
      await this.ledger.append(trx, changes);
    });
  }

  async update(category: Category, changes: readonly LedgerChange[]): Promise<void> {
    const { id, created_at: _createdAt, ...columns } = toRow(category);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('categories').set(columns).where('id', '=', id).execute();
      await this.ledger.append(trx, changes);
    });
  }

  async countChildren(id: string): Promise<number> {
    const row = await this.db
      .selectFrom('categories')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('parent_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Removes the category and its links to reports, in one transaction. */
  async delete(id: string, changes: readonly LedgerChange[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('report_categories').where('category_id', '=', id).execute();
      await trx.deleteFrom('categories').where('id', '=', id).execute();
      await this.ledger.append(trx, changes);
    });
  }

  /** Replaces a category's keywords. */
  async setKeywords(id: string, keywords: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('category_keywords').where('category_id', '=', id).execute();
      if (keywords.length > 0) {
        await trx
          .insertInto('category_keywords')
          .values(keywords.map((keyword) => ({ keyword, category_id: id })))
          .execute();
      }
    });
  }

  async keywordsOf(id: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('category_keywords')
      .select('keyword')
      .where('category_id', '=', id)
      .orderBy('keyword')
      .execute();
    return rows.map((row) => row.keyword);
  }

  /** Every keyword with the categories it routes to. */
  async allKeywords(): Promise<Map<string, string[]>> {
    const rows = await this.db.selectFrom('category_keywords').select(['keyword', 'category_id']).execute();
    const byKeyword = new Map<string, string[]>();
    for (const row of rows) {
      const list = byKeyword.get(row.keyword);
      if (list) list.push(row.category_id);
      else byKeyword.set(row.keyword, [row.category_id]);
    }
    return byKeyword;
  }
}
