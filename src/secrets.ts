/**
 * Keeping secrets out of messages and logs. A server that echoes a failed statement or request
 * shows a secret in whatever encoding we sent it, so redaction covers each of them, not only
 * the raw string (issue #12, D1).
 */

/** What a redacted secret is replaced with in server messages. */
export const REDACTED_SECRET = '***';

/** `'…'` with backslash and quote escaped: a ClickHouse string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The HTTP basic-auth token of `user:password`. */
export function basicAuthToken(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/**
 * Every encoding in which `secret` can travel and be echoed back: raw, inside a ClickHouse
 * string literal, URL-encoded (both `%20` and `+` forms) and inside a JSON string.
 */
export function secretEncodings(secret: string): string[] {
  if (secret === '') return [];
  const encodings = new Set([
    secret,
    quoteLiteral(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ]);
  // Longest first, so a longer encoding is not cut in half by a shorter one inside it.
  return [...encodings].filter((e) => e !== '').sort((a, b) => b.length - a.length);
}

/**
 * The secrets of a login: the password (in every encoding, see {@link redactSecrets}) and the
 * basic-auth token of `user:password`.
 */
export function loginSecrets(username: string, password: string): string[] {
  return password === '' ? [] : [password, basicAuthToken(username, password)];
}

/** Replaces every encoding ({@link secretEncodings}) of each non-empty secret in `text` with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const encoding of secretEncodings(secret)) out = out.split(encoding).join(REDACTED_SECRET);
  }
  return out;
}

/**
 * A host or URL value with its leading `user[:password]@` replaced by `***@`; the scheme is
 * optional, as in a `db_host` of `user:pw@ch.example.com`.
 */
export function maskUserinfo(value: string): string {
  return value.replace(/^(\s*(?:[a-z][a-z0-9+.-]*:\/\/)?)[^/@\s]*@/i, `$1${REDACTED_SECRET}@`);
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi;

/** True when `text` holds a URL with `user[:password]@` in it. */
export function hasUrlCredentials(text: string): boolean {
  return new RegExp(URL_USERINFO.source, 'i').test(text);
}

/** `text` with the `user:password@` of every URL in it replaced by `***@`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, `$1${REDACTED_SECRET}@`);
}
