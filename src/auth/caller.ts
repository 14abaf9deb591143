/** Who sends a request: nobody (no credentials), or a user, by an access token. */
export type Caller = { readonly kind: 'anonymous' } | { readonly kind: 'user'; readonly userId: string };

export const ANONYMOUS: Caller = Object.freeze({ kind: 'anonymous' });
