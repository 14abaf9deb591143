import type { ForkContext } from '../db/fork-context';
import { User } from '../entities';
import { InvalidInputError, UnauthenticatedError } from '../shared/errors';
import { verifyPassword } from '../shared/password';
import type { LoginThrottle } from './rate-limits';
import type { Tokens } from './tokens';

export interface LoginInput {
  username: string;
  password: string;
}

/** Longer passwords are refused before hashing: argon2's time grows with its input. */
const MAX_PASSWORD_LENGTH = 1024;
/** Longer usernames are refused before anything is counted or looked up: no user has one (see validation). */
const MAX_USERNAME_LENGTH = 100;

/**
 * An argon2id hash (same parameters as real ones) of a random password nobody knows. An unknown
 * username is checked against it, so that it takes as long as a wrong password for a real user.
 */
const NOBODY = '$argon2id$v=19$m=19456,t=2,p=1$YkAjSBZ0y/Bo2nLmnELNYQ$py0/Y+wXwLiNuFfEvnHMjtuU3mc383KBw+3m+IsGG1c';

/**
 * Signs a user in: an access token for them and when it expires. A wrong password, an unknown
 * username and a deactivated user get the same error after the same work (one argon2 verification),
 * so an answer tells nothing about which usernames exist. Attempts are limited per client address
 * and failures per username (`throttle`), before any password is checked: RATE_LIMITED beyond them.
 */
export async function login(
  ctx: ForkContext,
  tokens: Tokens,
  throttle: LoginThrottle,
  input: LoginInput,
): Promise<{ token: string; expiresAt: Date; user: User }> {
  if (input.password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError('input.password', `A password has at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (input.username.length > MAX_USERNAME_LENGTH) {
    throw new InvalidInputError('input.username', `A username has at most ${MAX_USERNAME_LENGTH} characters`);
  }
  await throttle.before(input.username);
  const user = await ctx.em.findOne(User, { username: input.username });
  const matches = await verifyPassword(user?.passwordHash ?? NOBODY, input.password);
  if (!user || !matches || !user.active) throw new UnauthenticatedError('Wrong username or password');
  await throttle.succeeded(input.username);
  return { ...(await tokens.issue(user.id)), user };
}
