import { TallyError } from '../errors.js';
import type { UserActor } from './roles.js';

/**
 * Four eyes: what one person made is published, approved or rejected by someone else, so that nothing reaches
 * the public record on one person's word alone. The rule is the same for every role (an admin's own report is
 * as unchecked as anyone's); only a deployment run by one person, who has nobody else to ask, turns it off.
 */
export function refuseOwnWork(
  reviewer: UserActor,
  authorId: string | null,
  allowSelfReview: boolean,
  refusal: string,
): void {
  if (!allowSelfReview && authorId !== null && authorId === reviewer.userId) {
    throw new TallyError('own_work_review', `${refusal}; another volunteer must`);
  }
}
