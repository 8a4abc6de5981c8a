// The rule `npm start` and `npm run deploy` apply to ADMIN_TOKEN before anything runs: the token is
// the whole of /admin's protection, so a short one could be guessed.

/** 32 characters: `openssl rand -hex 16` (128 random bits, the README's suggestion) just passes. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Why `token` is refused, or undefined when it is fine. Blanks around it do not count (the web worker trims it). */
export function adminTokenProblem(token) {
  const length = (token ?? '').trim().length;
  if (length >= MIN_ADMIN_TOKEN_LENGTH) return undefined;
  return (
    `ADMIN_TOKEN is ${length} characters long; at least ${MIN_ADMIN_TOKEN_LENGTH} are needed so that it cannot be guessed. ` +
    'Choose a random one, e.g. export ADMIN_TOKEN=$(openssl rand -hex 16)'
  );
}
