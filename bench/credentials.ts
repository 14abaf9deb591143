// Who the bench is to the servers it measures: the API refuses anonymous reads, and production refuses
// to start without a signing key. Every server of a run gets SIGNING_KEY; every request carries the
// token of an ADMIN made in the bench database, so the API answers with every row, as the baseline does.
import { randomBytes } from 'node:crypto';
import { tokensFor } from '../src/auth/signing-key';
import type { Tokens } from '../src/auth/tokens';
import { loadConfig } from '../src/config';

/** The signing key of every server in this run. */
export const SIGNING_KEY = randomBytes(48).toString('base64url');

/**
 * The rate limit of the servers of a run: counted as in production (the bench measures what counting
 * costs), never reached (it measures no refusals).
 */
export const UNSPENDABLE_POINTS = String(1e15);

/** The headers of every GraphQL request the bench sends: JSON, and the admin's token once known. */
export const requestHeaders: Record<string, string> = { 'content-type': 'application/json' };

/** Sends every later request with `token`. */
export function authorize(token: string): void {
  requestHeaders.authorization = `Bearer ${token}`;
}

/** The tokens the servers of this run accept: SIGNING_KEY, with the API's default issuer, audience and lifetime. */
export function benchTokens(): Promise<Tokens> {
  return tokensFor(loadConfig({ AUTH_SIGNING_KEY: SIGNING_KEY }));
}
