import { InvalidInputError } from '../shared/errors';

/** Field-level rules shared by the services. Each returns the normalised value or throws {@link InvalidInputError}. */

const USERNAME = /^[A-Za-z0-9_]{3,25}$/;
// Pragmatic address check: one @, no spaces, a dot in the domain, sane lengths (RFC 5321 limits).
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
const DECIMAL = /^\d{1,8}(\.\d{1,2})?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function username(field: string, value: string): string {
  if (!USERNAME.test(value)) {
    throw new InvalidInputError(field, 'Username must be 3 to 25 letters, digits or underscores');
  }
  return value;
}

export function email(field: string, value: string): string {
  const normalised = value.trim().toLowerCase();
  if (normalised.length > 254 || !EMAIL.test(normalised)) throw new InvalidInputError(field, 'Email address is not valid');
  return normalised;
}

export function password(field: string, value: string): string {
  if (value.length < 8 || value.length > 200 || !/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/\d/.test(value)) {
    throw new InvalidInputError(
      field,
      'Password must be 8 to 200 characters with an upper-case letter, a lower-case letter and a digit',
    );
  }
  return value;
}

/** Trimmed text of `min`..`max` characters. */
export function text(field: string, value: string, { min = 1, max }: { min?: number; max: number }): string {
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    throw new InvalidInputError(field, min > 0 ? `Must be ${min} to ${max} characters` : `Must be at most ${max} characters`);
  }
  return trimmed;
}

/** Optional text: null/empty clears it. */
export function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : text(field, trimmed, { max });
}

/** A date of birth: a real calendar date, in the past, after 1900. */
export function birthDate(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const match = ISO_DATE.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new InvalidInputError(field, 'Birth date must be a real date as YYYY-MM-DD');
  }
  if (date.getTime() > Date.now() || date.getUTCFullYear() < 1900) {
    throw new InvalidInputError(field, 'Birth date must be in the past and after 1900');
  }
  return value;
}

/** A consumption amount: at least 0, at most 2 decimals, below 100,000,000 (numeric(10,2)). */
export function consumption(field: string, value: string): string {
  const trimmed = value.trim();
  if (!DECIMAL.test(trimmed)) {
    throw new InvalidInputError(field, 'Consumption must be a number from 0 to 99999999.99 with at most 2 decimals');
  }
  // Canonical form, as PostgreSQL's numeric(10,2) returns it: "007.5" -> "7.50".
  const [whole = '0', cents = ''] = trimmed.split('.');
  return `${BigInt(whole).toString()}.${cents.padEnd(2, '0')}`;
}

export function unit(field: string, value: string): string {
  return text(field, value, { max: 10 });
}

export function httpsUrl(field: string, value: string): string {
  const trimmed = text(field, value, { max: 2048 });
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidInputError(field, 'Must be an https URL');
  }
  if (url.protocol !== 'https:') throw new InvalidInputError(field, 'Must be an https URL');
  return trimmed;
}

export function iconName(field: string, value: string): string {
  if (!/^[a-z0-9-]{1,50}$/.test(value)) {
    throw new InvalidInputError(field, 'Icon must be 1 to 50 lower-case letters, digits or dashes');
  }
  return value;
}

/** An entity id: a UUID. Anything else cannot name a row, so it is refused before any SQL runs. */
export function id(field: string, value: string): string {
  if (!UUID.test(value)) throw new InvalidInputError(field, 'Must be an id (a UUID)');
  return value.toLowerCase();
}

/** Entity ids, at most `max` of them, each a UUID (an error names the one at fault: `ids[3]`). */
export function ids(field: string, values: readonly string[], max: number): string[] {
  if (values.length > max) throw new InvalidInputError(field, `Give at most ${max} ids at a time`);
  return values.map((value, i) => id(`${field}[${i}]`, value));
}

/**
 * An IANA time zone name (`America/Mexico_City`), in its canonical spelling. Offsets such as `+05:30`
 * are refused: PostgreSQL reads them with the POSIX sign, the other way round.
 */
export function timeZone(field: string, value: string): string {
  const known = timeZones.get(value);
  if (known) return known;
  if (value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) throw new InvalidInputError(field, 'Must be an IANA time zone, e.g. America/Mexico_City');
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new InvalidInputError(field, `Unknown time zone "${value}"; use an IANA name, e.g. America/Mexico_City`);
  }
  timeZones.set(value, canonical);
  return canonical;
}

/**
 * Time zones already checked, by the name asked for: making an Intl.DateTimeFormat costs tens of
 * microseconds, and every device of a dashboard page asks (S2 ran at 0.7 of the code before without
 * this). Only valid names are kept, and there are some 600 of them.
 */
const timeZones = new Map<string, string>();

/** An integer within bounds. */
export function intInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(field, `Must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A field that may be omitted but, when given, not null. */
export function notNull<T>(field: string, value: T | null): T {
  if (value === null) throw new InvalidInputError(field, 'Cannot be null');
  return value;
}

