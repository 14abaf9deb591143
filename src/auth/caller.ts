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

/**
 * A caller as log lines and rate-limit counters name it: `user:<id>` or `apiKey:<key id>` (never a
 * secret); null for an anonymous caller, whom only their address tells apart.
 */
export function callerName(caller: Caller): string | null {
  switch (caller.kind) {
    case 'user':
      return `user:${caller.userId}`;
    case 'apiKey':
      return `apiKey:${caller.keyId}`;
    default:
      return null;
  }
}
