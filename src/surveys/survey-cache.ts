import type { Survey, SurveysRepository } from './surveys.repository.js';

/**
 * Surveys are read on every report submitted and change rarely; a few seconds of caching saves a query per
 * report. A change made by another process is seen within `ttlMs`.
 */
export class SurveyCache {
  private readonly entries = new Map<string, { survey: Survey | undefined; expires: number }>();

  constructor(
    private readonly surveys: Pick<SurveysRepository, 'findById'>,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async findById(id: string): Promise<Survey | undefined> {
    const cached = this.entries.get(id);
    if (cached && cached.expires > this.now()) return cached.survey;
    const survey = await this.surveys.findById(id);
    this.entries.set(id, { survey, expires: this.now() + this.ttlMs });
    return survey;
  }
}
