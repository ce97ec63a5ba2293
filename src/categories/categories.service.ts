import { type Actor, requireRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import { TallyError, validationError } from '../errors.js';
import { fold } from '../fold.js';
import { uuidv7 } from '../ids.js';
import type { JsonValue } from '../ledger/canonical-json.js';
import type { PublicRecord } from '../ledger/public-record.js';
import type { CategoriesRepository, Category } from './categories.repository.js';

export interface CategoryInput {
  name: string;
  parent_id?: string | null;
  description?: string;
  color?: string | null;
  position?: number;
  translations?: Category['translations'];
}

export interface CategoryView {
  id: string;
  parent_id: string | null;
  name: string;
  description: string;
  color: string | null;
  position: number;
  translations: Category['translations'];
}

export function toCategoryView(category: Category): CategoryView {
  return {
    id: category.id,
    parent_id: category.parentId,
    name: category.name,
    description: category.description,
    color: category.color,
    position: category.position,
    translations: category.translations,
  };
}

function assertKnown(all: Category[], ids: string[], field: string): void {
  const unknown = ids.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length > 0) {
    throw new TallyError('unknown_category', `No category ${unknown.join(', ')}`, [
      { field, message: `unknown category ${unknown.join(', ')}` },
    ]);
  }
}

export class CategoriesService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly record: PublicRecord,
    private readonly clock: Clock,
  ) {}

  private change(action: string, actor: Actor, category: Category | { id: string }) {
    const content = 'name' in category ? toCategoryView(category) : category;
    return this.record.change(action, `category:${category.id}`, actor, content as unknown as JsonValue);
  }

  list(): Promise<Category[]> {
    return this.categories.list();
  }

  async create(actor: Actor, input: CategoryInput): Promise<Category> {
    requireRole(actor, 'coordinator', 'create categories');
    const all = await this.categories.list();
    const parentId = input.parent_id ?? null;
    const name = input.name.trim();
    if (!name) throw validationError('/name', 'must not be empty');
    if (parentId) assertKnown(all, [parentId], '/parent_id');
    this.assertNameFree(all, parentId, name, null);
    const now = this.clock.now().toISOString();
    const category: Category = {
      id: uuidv7(),
      parentId,
      name,
      description: input.description?.trim() ?? '',
      color: input.color ?? null,
      position: input.position ?? all.filter((c) => c.parentId === parentId).length,
      translations: input.translations ?? {},
      createdAt: now,
      updatedAt: now,
    };
    await this.categories.insert(category, [this.change('category.created', actor, category)]);
    return category;
  }

  async update(actor: Actor, id: string, input: Partial<CategoryInput>): Promise<Category> {
    requireRole(actor, 'coordinator', 'edit categories');
    const all = await this.categories.list();
    const current = all.find((c) => c.id === id);
    if (!current) throw new TallyError('category_not_found', `No category ${id}`);
    const parentId = input.parent_id === undefined ? current.parentId : input.parent_id;
    if (parentId) {
      assertKnown(all, [parentId], '/parent_id');
      // Walking up from the new parent must never reach the category itself.
      for (
        let cursor: string | null = parentId;
        cursor;
        cursor = all.find((c) => c.id === cursor)?.parentId ?? null
      ) {
        if (cursor === id) {
          throw new TallyError(
            'category_cycle',
            'A category cannot be moved under itself or its descendants',
            [{ field: '/parent_id', message: 'would make a cycle' }],
          );
        }
      }
    }
    const name = input.name === undefined ? current.name : input.name.trim();
    if (!name) throw validationError('/name', 'must not be empty');
    this.assertNameFree(all, parentId, name, id);
    const updated: Category = {
      ...current,
      parentId,
      name,
      description: input.description?.trim() ?? current.description,
      color: input.color === undefined ? current.color : input.color,
      position: input.position ?? current.position,
      translations: input.translations ?? current.translations,
      updatedAt: this.clock.now().toISOString(),
    };
    await this.categories.update(updated, [this.change('category.updated', actor, updated)]);
    return updated;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requireRole(actor, 'coordinator', 'delete categories');
    if (!(await this.categories.findById(id)))
      throw new TallyError('category_not_found', `No category ${id}`);
    if ((await this.categories.countChildren(id)) > 0) {
      throw new TallyError('category_in_use', 'Move or delete its subcategories first');
    }
    await this.categories.delete(id, [this.change('category.deleted', actor, { id })]);
  }

  /**
   * Sets the words that route a message to the category, in any language (`moto`, `fire`, `incendie`).
   * Words are compared without case, accents or punctuation; a phrase of up to three words is one keyword.
   */
  async setKeywords(actor: Actor, id: string, words: readonly string[]): Promise<string[]> {
    requireRole(actor, 'coordinator', 'set category keywords');
    if (!(await this.categories.findById(id)))
      throw new TallyError('category_not_found', `No category ${id}`);
    const keywords = [...new Set(words.map(fold).filter(Boolean))].sort();
    const tooLong = keywords.find((keyword) => keyword.split(' ').length > 3);
    if (tooLong) throw validationError('/keywords', `"${tooLong}" is more than three words`);
    await this.categories.setKeywords(id, keywords);
    return keywords;
  }

  async keywordsOf(actor: Actor, id: string): Promise<string[]> {
    requireRole(actor, 'volunteer', 'see category keywords');
    if (!(await this.categories.findById(id)))
      throw new TallyError('category_not_found', `No category ${id}`);
    return this.categories.keywordsOf(id);
  }

  /**
   * What routes texts to categories by their words and phrases: the keywords are read once, so a page of
   * messages costs one query, not one per message.
   */
  async keywordRouter(): Promise<(text: string) => string[]> {
    const keywords = await this.categories.allKeywords();
    return (text) => {
      if (keywords.size === 0) return [];
      const words = fold(text).split(' ').filter(Boolean);
      const found = new Set<string>();
      for (let length = 1; length <= 3; length++) {
        for (let start = 0; start + length <= words.length; start++) {
          for (const id of keywords.get(words.slice(start, start + length).join(' ')) ?? []) found.add(id);
        }
      }
      return [...found];
    };
  }

  /** The ids given plus all their descendants: filtering by "Health" also finds "Health › Cholera". */
  async expandWithDescendants(ids: string[], field: string): Promise<string[]> {
    const all = await this.categories.list();
    assertKnown(all, ids, field);
    const result = new Set(ids);
    let grew = true;
    while (grew) {
      grew = false;
      for (const category of all) {
        if (category.parentId && result.has(category.parentId) && !result.has(category.id)) {
          result.add(category.id);
          grew = true;
        }
      }
    }
    return [...result];
  }

  /** Throws naming every id in `ids` that is not a category. */
  async assertExist(ids: string[], field: string): Promise<void> {
    if (ids.length > 0) assertKnown(await this.categories.list(), ids, field);
  }

  private assertNameFree(
    all: Category[],
    parentId: string | null,
    name: string,
    exceptId: string | null,
  ): void {
    const clash = all.find(
      (c) => c.id !== exceptId && c.parentId === parentId && c.name.toLowerCase() === name.toLowerCase(),
    );
    if (clash) throw new TallyError('category_exists', `"${name}" already exists here`);
  }
}
