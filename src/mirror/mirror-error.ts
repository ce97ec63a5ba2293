/**
 * A sync round refused or could not finish. The message is written for the operator who runs the mirror:
 * it says what was wrong and what the mirror kept, and is stored as the source's `last_error` as it is.
 */
export class MirrorError extends Error {
  override name = 'MirrorError';
}
