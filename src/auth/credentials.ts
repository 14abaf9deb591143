import { ANONYMOUS, type Caller } from './caller';
import { InvalidTokenError, type Tokens } from './tokens';

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
 * `Bearer` access token. A header that is there but not acceptable (another scheme, a malformed,
 * forged or expired token) is RejectedCredentialsError: never silently anonymous.
 */
export async function callerOf(authorization: string | undefined, tokens: Tokens): Promise<Caller> {
  if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
  const token = BEARER.exec(authorization.trim())?.[1];
  if (!token) throw new RejectedCredentialsError('Send credentials as `Authorization: Bearer <token>`');
  try {
    const { userId } = await tokens.verify(token);
    return { kind: 'user', userId };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new RejectedCredentialsError('The access token is invalid or expired; sign in again');
    throw error;
  }
}
