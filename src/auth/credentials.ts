import { isApiKeySecret, type ApiKeyIdentity } from './api-keys';
import { ANONYMOUS, type Caller } from './caller';
import { InvalidTokenError, type Tokens } from './tokens';

/** How credentials are checked: access tokens by signature, API keys against the database. */
export interface CredentialCheckers {
  readonly tokens: Tokens;
  readonly apiKey: (secret: string) => Promise<ApiKeyIdentity | null>;
}

/** Credentials that were sent but cannot be accepted: the request is refused as a whole (HTTP 401). */
export class RejectedCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RejectedCredentialsError';
  }
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+)$/;

/**
 * The caller an `Authorization` header names: anonymous without one, else the user of a valid
 * `Bearer` access token or the live API key it carries. A header that is there but not acceptable
 * (another scheme, a malformed, forged or expired token, an unknown or revoked key, or one whose
 * owner is deactivated) is RejectedCredentialsError: never silently anonymous.
 */
export async function callerOf(authorization: string | undefined, checkers: CredentialCheckers): Promise<Caller> {
  if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
  const token = BEARER.exec(authorization.trim())?.[1];
  if (!token) throw new RejectedCredentialsError('Send credentials as `Authorization: Bearer <token>`');
  if (isApiKeySecret(token)) {
    const key = await checkers.apiKey(token);
    if (!key) throw new RejectedCredentialsError('The API key is unknown or revoked, or its owner is deactivated');
    return { kind: 'apiKey', keyId: key.keyId, userId: key.ownerId, scopes: key.scopes };
  }
  try {
    const { userId } = await checkers.tokens.verify(token);
    return { kind: 'user', userId };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new RejectedCredentialsError('The access token is invalid or expired; sign in again');
    throw error;
  }
}
