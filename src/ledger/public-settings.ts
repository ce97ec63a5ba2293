import type { Config } from '../config.js';
import type { Survey, SurveysRepository } from '../surveys/surveys.repository.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import type { LedgerRepository } from './ledger.repository.js';
import type { PublicRecord } from './public-record.js';

export const settingsSubject = 'deployment';

/** A survey as the public may know it: its public fields only, with what a reader needs to read them. */
function publicSurvey(survey: Survey): JsonValue {
  return {
    id: survey.id,
    name: survey.name,
    description: survey.description,
    auto_publish: survey.autoPublish,
    fields: survey.fields
      .filter((field) => !field.private)
      .map((field) => ({
        key: field.key,
        label: field.label,
        type: field.type,
        required: field.required,
        options: field.options ?? null,
        hxl: field.hxl ?? null,
      })),
  };
}

/**
 * The settings that change what the public sees: its name, the data's licences, what makes a report verified
 * and a drive log approved, whether one may publish or approve one's own work, the surveys' public fields.
 */
export function publicSettings(config: Config, surveys: Survey[]): JsonValue {
  return {
    name: config.name,
    reports_license: {
      id: config.reportsLicense.id,
      name: config.reportsLicense.name,
      url: config.reportsLicense.url,
    },
    verification_threshold: config.verificationThreshold,
    self_review_allowed: config.allowSelfReview,
    readings_license: {
      id: config.readingsLicense.id,
      name: config.readingsLicense.name,
      url: config.readingsLicense.url,
    },
    import_auto_approval: {
      enabled: config.importAutoApproval.enabled,
      min_approved_imports: config.importAutoApproval.minApprovedImports,
      require_positive_cpm: config.importAutoApproval.requirePositiveCpm,
      max_cpm: config.importAutoApproval.maxCpm,
      min_gps_fix_share: config.importAutoApproval.minGpsFixShare,
    },
    surveys: surveys.map(publicSurvey),
  };
}

/**
 * Records the public settings at start when they differ from the last ones recorded: an operator who changes
 * the licence or the verification threshold does so in public view.
 */
export async function recordPublicSettings(
  ledger: LedgerRepository,
  record: PublicRecord,
  surveys: Pick<SurveysRepository, 'list'>,
  config: Config,
): Promise<boolean> {
  const settings = publicSettings(config, await surveys.list());
  const last = await ledger.latestOfSubject(settingsSubject);
  if (last?.content && last.content.toString('utf8') === canonicalJson(settings)) return false;
  await ledger.appendAlone([record.change('settings.changed', settingsSubject, 'operator', settings)]);
  return true;
}
