import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

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
  constructor(private readonly db: Kysely<Database>) {}

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

  async insert(category: Category): Promise<void> {
    await this.db.insertInto('categories').values(toRow(category)).execute();
  }

  async update(category: Category): Promise<void> {
    const { id, created_at: _createdAt, ...changes } = toRow(category);
    await this.db.updateTable('categories').set(changes).where('id', '=', id).execute();
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
  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('report_categories').where('category_id', '=', id).execute();
      await trx.deleteFrom('categories').where('id', '=', id).execute();
    });
  }
}
