import { requestHeaders } from './credentials';
import { hasGraphQLErrors } from './documents';

/** An HTTP answer: status and body text. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** POSTs a JSON body and reads the whole answer. */
export async function postJson(url: string, body: string, timeoutMs = 120_000): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: requestHeaders,
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

/** GETs `url` and reads the whole answer. */
export async function getText(url: string, timeoutMs = 5_000): Promise<HttpAnswer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, text: await response.text() };
}

/** POSTs a GraphQL body and returns the answer's text; a non-2xx status or GraphQL errors throw, naming `what`. */
export async function graphqlOk(url: string, body: string, what: string): Promise<string> {
  const { status, text } = await postJson(url, body);
  if (status < 200 || status >= 300 || hasGraphQLErrors(text)) {
    throw new Error(`${what}: HTTP ${status}: ${text.slice(0, 500)}`);
  }
  return text;
}
