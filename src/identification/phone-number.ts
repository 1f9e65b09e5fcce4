import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// Twilio's placeholders for a withheld caller ID, and what carriers send instead.
const E164 = /^\+[1-9]\d{7,14}$/;
const WITHHELD = new Set([
  '',
  'anonymous',
  'restricted',
  'unknown',
  'private',
  'unavailable',
  '+266696687',
  '266696687',
]);

/**
 * A French or international number in any common writing (0612345678, 06 12 34 56 78,
 * 06.12.34.56.78, 06/12/34/56/78, +33 6 12..., 0033 6 12...) as E.164, or null when it is not a
 * valid number or the caller ID is withheld.
 */
export function toE164(raw: string | undefined | null, defaultCountry: 'FR' = 'FR'): string | null {
  const trimmed = (raw ?? '').trim();
  if (WITHHELD.has(trimmed.toLowerCase())) return null;
  // Twilio sends E.164 already: on the webhook path, skip the (costly) full parse. French
  // numbers are checked for their length, the commonest typo.
  if (E164.test(trimmed) && (!trimmed.startsWith('+33') || trimmed.length === 12)) return trimmed;
  const compact = trimmed.replace(/[\s./\-()]/g, '').replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(compact, defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}

export function isMobile(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164)?.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** The national writing a French speaker reads out: +33612345678 → "06 12 34 56 78". */
export function toNational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}
