import type { ApiKeyScope } from '../entities';

/**
 * Who sends a request: nobody (no credentials), a user by an access token, or a partner's API key,
 * which acts for its owner (`userId`) within its scopes.
 */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'apiKey'; readonly keyId: string; readonly userId: string; readonly scopes: readonly ApiKeyScope[] };

export const ANONYMOUS: Caller = Object.freeze({ kind: 'anonymous' });
