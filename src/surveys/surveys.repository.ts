import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export const fieldTypes = [
  'text',
  'long_text',
  'number',
  'select',
  'multi_select',
  'datetime',
  'boolean',
] as const;
export type FieldType = (typeof fieldTypes)[number];

export interface SurveyField {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** Private values are kept for volunteers and never published. */
  private: boolean;
  options?: string[];
  hxl?: string;
}

export interface Survey {
  id: string;
  name: string;
  description: string;
  autoPublish: boolean;
  fields: SurveyField[];
}

function toSurvey(row: Database['surveys']): Survey {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    autoPublish: row.auto_publish === 1,
    fields: JSON.parse(row.fields) as SurveyField[],
  };
}

export class SurveysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<Survey | undefined> {
    const row = await this.db.selectFrom('surveys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSurvey(row) : undefined;
  }

  async list(): Promise<Survey[]> {
    const rows = await this.db.selectFrom('surveys').selectAll().orderBy('id').execute();
    return rows.map(toSurvey);
  }

  async setFields(id: string, fields: SurveyField[]): Promise<void> {
    await this.db
      .updateTable('surveys')
      .set({ fields: JSON.stringify(fields), updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async setAutoPublish(id: string, autoPublish: boolean): Promise<void> {
    await this.db
      .updateTable('surveys')
      .set({ auto_publish: autoPublish ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }
}
