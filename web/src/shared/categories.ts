import type { Category, Id } from '../types';

export interface CategoryNode {
  category: Category;
  depth: number;
}

/** Categories in display order: each parent followed by its children, depth-first, by position then name. */
export function flattenCategories(categories: Category[]): CategoryNode[] {
  const byParent = new Map<string, Category[]>();
  const ids = new Set(categories.map((c) => String(c.id)));
  for (const category of categories) {
    // A child whose parent is missing is shown at the top level rather than lost.
    const parent =
      category.parent_id != null && ids.has(String(category.parent_id)) ? String(category.parent_id) : '';
    const siblings = byParent.get(parent) ?? [];
    siblings.push(category);
    byParent.set(parent, siblings);
  }
  for (const siblings of byParent.values()) {
    siblings.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.name.localeCompare(b.name));
  }
  const out: CategoryNode[] = [];
  const seen = new Set<string>();
  const walk = (parent: string, depth: number) => {
    for (const category of byParent.get(parent) ?? []) {
      const id = String(category.id);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ category, depth });
      walk(id, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

export function categoryIndex(categories: Category[]): Map<string, Category> {
  return new Map(categories.map((c) => [String(c.id), c]));
}

export function categoryNames(ids: Id[] | undefined, index: Map<string, Category>): string[] {
  return (ids ?? []).map((id) => index.get(String(id))?.name ?? String(id));
}
