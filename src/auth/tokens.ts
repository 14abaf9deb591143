import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/** How access tokens are signed and checked. */
export interface TokenSettings {
  /** The HS256 key, at least 32 bytes. */
  readonly key: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** The one algorithm tokens are signed with and accepted in: no `alg: none`, no key confusion. */
const ALGORITHM = 'HS256';

/** A token that is malformed, forged, expired, or for another issuer or audience. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

/** Access tokens: JWTs that name a user, signed with the configured key, valid for a set lifetime. */
export class Tokens {
  constructor(private readonly settings: TokenSettings) {}

  /** A token for `userId`, and when it stops being accepted. */
  async issue(userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.settings.ttlSeconds) * 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.settings.key);
    return { token, expiresAt };
  }

  /** The user a token names; InvalidTokenError unless it is signed by us, unexpired, and ours in issuer and audience. */
  async verify(token: string): Promise<{ userId: string }> {
    try {
      const { payload } = await jwtVerify(token, this.settings.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return { userId: payload.sub! };
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(error.code);
      throw error;
    }
  }
}

/** Tokens signed with a random key that lives only as long as the process: for tests and the bench. */
export function ephemeralTokens(ttlSeconds = 60 * 60): Tokens {
  return new Tokens({ key: randomBytes(32), issuer: 'aquamind-ephemeral', audience: 'aquamind', ttlSeconds });
}
