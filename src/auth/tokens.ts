import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
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

/** How many verified tokens are remembered; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Access tokens: JWTs that name a user, signed with the configured key, valid for a set lifetime.
 * A client sends the same token with every request, so a token once verified is remembered (by its
 * whole text, signature included) until it expires. With a check on every request, S1 ran at 0.79 of
 * the code before sign-in; with this memory, at about 0.95 (measured, docs/PERFORMANCE.md).
 */
export class Tokens {
  private readonly key: KeyObject;
  /** Verified tokens: the user each names and when it expires (ms), oldest first. */
  private readonly verified = new Map<string, { userId: string; expiresAtMs: number }>();

  constructor(private readonly settings: TokenSettings) {
    this.key = createSecretKey(settings.key);
  }

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
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The user a token names; InvalidTokenError unless it is signed by us, unexpired, and ours in issuer and audience. */
  async verify(token: string, now = Date.now()): Promise<{ userId: string }> {
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > now) return { userId: known.userId };
    this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(now),
      });
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { userId: payload.sub!, expiresAtMs: payload.exp! * 1000 });
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
