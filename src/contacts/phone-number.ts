import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

export interface PhoneNumber {
  /** E.164: `+254722000111`. */
  e164: string;
  /** The country the number belongs to (ISO 3166-1 alpha-2), when the numbering plan says. */
  country: string | null;
}

/**
 * A sender's number as E.164, or null when it is not a phone number (a short code, an alphanumeric
 * sender such as `MPESA`). Gateways write numbers in every form: `+254722000111`, `254722000111` (Kannel,
 * Africa's Talking), `0722 000 111` (a local number, read in the deployment's first country).
 */
export function normalizePhoneNumber(raw: string, defaultCountry: string | null): PhoneNumber | null {
  const text = raw.trim();
  if (!/^[+\d][\d\s().-]*$/.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  const country =
    defaultCountry && isSupportedCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const candidates = text.startsWith('+')
    ? [`+${digits}`]
    : // Without a plus, a long number that does not start with the trunk prefix 0 is most often international.
      digits.length >= 11 && !digits.startsWith('0')
      ? [`+${digits}`, digits]
      : [digits, `+${digits}`];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, candidate.startsWith('+') ? undefined : country);
    if (parsed?.isValid()) return { e164: parsed.number, country: parsed.country ?? null };
  }
  return null;
}
