import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import { Tokens } from './tokens';

/** Where a development signing key is kept, inside the data folder. */
const KEY_FILE = 'auth-signing-key';

/**
 * The key that signs access tokens: `AUTH_SIGNING_KEY` when set (configuration refuses to start
 * production without it, or with a short one). Otherwise, outside production, a random key made on
 * the first start and kept in the data folder (readable by its owner only), so tokens outlive a restart.
 */
export async function signingKey(config: Pick<Config, 'auth' | 'dataDir'>): Promise<Uint8Array> {
  if (config.auth.signingKey !== undefined) return new TextEncoder().encode(config.auth.signingKey);
  const file = path.join(config.dataDir, KEY_FILE);
  try {
    return new TextEncoder().encode((await readFile(file, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(48).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  // `wx`: two processes starting at once cannot both write one; the loser reads the winner's.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return new TextEncoder().encode((await readFile(file, 'utf8')).trim());
  }
  return new TextEncoder().encode(key);
}

/** The access tokens `config` describes: its signing key (see {@link signingKey}), issuer, audience and lifetime. */
export async function tokensFor(config: Pick<Config, 'auth' | 'dataDir'>): Promise<Tokens> {
  const { issuer, audience, tokenTtlSeconds } = config.auth;
  return new Tokens({ key: await signingKey(config), issuer, audience, ttlSeconds: tokenTtlSeconds });
}
