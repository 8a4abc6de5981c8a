// The one rule for how strong ADMIN_TOKEN must be, shared by the web worker (which refuses to
// authenticate with a weaker one) and the scripts that start or deploy it (which refuse to).
//
// Why a length and not an entropy estimate: the token cannot be measured, only its spelling can,
// and "aaaa…" scores like random text under any per-character estimate. 32 characters is the
// shortest output of the usual generators that carries 128 random bits (`openssl rand -hex 16`;
// `openssl rand -base64 24` and `node -e "…randomBytes(24).toString('base64url')"` give 32
// characters and 192 bits). 128 bits matters because the token is also the HMAC key behind the
// session cookies (src/web/session.ts): anyone holding one cookie could test guesses offline, where
// no rate limit applies. Visible ASCII only: `Authorization: Bearer` carries nothing else.

/** The shortest ADMIN_TOKEN the worker accepts, in characters (after trimming). */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** What is wrong with this ADMIN_TOKEN, in a sentence; undefined when it is strong enough. */
export function adminTokenProblem(token) {
  const value = typeof token === 'string' ? token.trim() : '';
  if (!value) return 'ADMIN_TOKEN is not set.';
  if (!VISIBLE_ASCII.test(value)) return 'ADMIN_TOKEN may hold only visible ASCII characters (no spaces): an Authorization header carries nothing else.';
  if (value.length < ADMIN_TOKEN_MIN_LENGTH) {
    return `ADMIN_TOKEN is ${value.length} characters; it must be at least ${ADMIN_TOKEN_MIN_LENGTH} to resist guessing (e.g. \`openssl rand -hex 16\`).`;
  }
  return undefined;
}
