import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { isTracingDisabled } from '../otel/config';
import { listDeadLetters } from '../storage/dead-letter-store';
import { getRun } from '../storage/run-log';
import { accessConfig } from './access-jwt';
import { adminDisabledReason, adminToken, authenticateAdmin, tokensMatch, type AdminIdentity } from './admin-auth';
import { jaegerTraceUrl, jaegerZipSearchUrl, runTraceUrl } from './admin-api';
import { AdminPage, LoginPage } from './pages/admin';
import { deployedCadence } from './freshness';
import { documentOf } from './pages/document';
import { Layout } from './pages/layout';
import { DeadLettersPage } from './pages/dead-letters';
import { RunPage } from './pages/run';
import { AUTH_RATE_PERIOD_SECONDS, loginAttemptAllowed } from './auth-rate-limit';
import { answerWrongMethods } from './methods';
import {
  createSession,
  csrfToken,
  currentSessionSecret,
  readSession,
  revokeSession,
  SESSION_COOKIE,
  SESSION_COOKIE_PATH,
  SESSION_TTL_SECONDS,
} from './session';
import { adminZips } from './site-data';
import type { WebEnv } from './web-env';

/**
 * The admin's HTML: the dashboard at /admin, the run view at /admin/run/{id}, the dead letters at
 * /admin/dead-letters, and the login/logout
 * form posts. Registered before the JSON admin API: an unauthenticated browser gets the login
 * form here (200, no admin data) rather than the API's 401 JSON.
 */
export const adminPages = new Hono<WebEnv>({ strict: true });

/** Only these paths may follow a login: no open redirect. */
const NEXT_PATH = /^\/admin(\/run\/[0-9a-f]{32}|\/dead-letters)?$/;
const RUN_PATH = '/admin/run/:runId{[0-9a-f]{32}}';

function cookieOptions(c: Context<WebEnv>) {
  return {
    path: SESSION_COOKIE_PATH,
    httpOnly: true,
    // Not sent on any cross-site request, not even a top-level navigation: the first CSRF barrier.
    sameSite: 'Strict' as const,
    // Secure whenever we are on https (production); plain http only for local development.
    secure: new URL(c.req.url).protocol === 'https:',
  };
}

const TOO_MANY = 'Too many failed attempts from your address. Try again in a minute.';

function loginPage(c: Context<WebEnv>, props: { next?: string; error?: string } = {}, status: 200 | 401 | 429 = 200) {
  if (!adminToken(c.env)) return c.html(documentOf(<LoginPage disabled={adminDisabledReason(c.env)} />), 503);
  if (status === 429) c.header('Retry-After', String(AUTH_RATE_PERIOD_SECONDS));
  return c.html(documentOf(<LoginPage {...props} accessConfigured={accessConfig(c.env) !== undefined} />), status);
}

/** The admin, or the login form to answer instead (429 to a client over the guess limit). */
async function adminOrLogin(c: Context<WebEnv>, next?: string): Promise<AdminIdentity | Response> {
  const auth = await authenticateAdmin(c);
  if (auth.ok) return auth.identity;
  return auth.refusal === 'rate_limited' ? loginPage(c, { next, error: TOO_MANY }, 429) : loginPage(c, { next });
}

async function pageCsrf(identity: AdminIdentity): Promise<string | undefined> {
  return identity.via === 'bearer' ? undefined : csrfToken(identity.secret, identity.principal);
}

adminPages.get('/admin', async (c) => {
  const identity = await adminOrLogin(c);
  if (identity instanceof Response) return identity;
  const added = c.req.query('added');
  const zips = await adminZips(c.env.CONFIG, c.env.WEATHER_IMAGES);
  return c.html(
    documentOf(
      <AdminPage
        zips={zips}
        identity={identity}
        csrf={await pageCsrf(identity)}
        added={added && zips.some((z) => z.zip === added) ? added : undefined}
        nowMs={Date.now()}
        cadenceMinutes={deployedCadence(c.env)}
        jaegerSearchUrl={isTracingDisabled(c.env) ? undefined : (zip) => jaegerZipSearchUrl(c.env, zip)}
      />,
    ),
  );
});

// csrf(): the login form must be posted from our own origin (no login CSRF into an attacker's session).
adminPages.post('/admin/login', csrf(), async (c) => {
  const expected = adminToken(c.env);
  if (!expected) return loginPage(c);
  const form = await c.req.parseBody();
  const next = typeof form.next === 'string' && NEXT_PATH.test(form.next) ? form.next : '/admin';
  if (!(await loginAttemptAllowed(c))) return loginPage(c, { next: next === '/admin' ? undefined : next, error: TOO_MANY }, 429);
  const given = typeof form.token === 'string' ? form.token.trim() : '';
  if (!given || !tokensMatch(given, expected)) {
    return loginPage(c, { next: next === '/admin' ? undefined : next, error: 'That is not the admin token.' }, 401);
  }
  const { value } = await createSession(await currentSessionSecret(c.env.CONFIG, expected));
  setCookie(c, SESSION_COOKIE, value, { ...cookieOptions(c), maxAge: SESSION_TTL_SECONDS });
  return c.redirect(next, 303);
});

// Ends the session on the server as well: a copy of the cookie (a stolen one, or one the browser
// kept) is refused from now on. Only a genuine session costs the KV write.
adminPages.post('/admin/logout', csrf(), async (c) => {
  const token = adminToken(c.env);
  const cookie = getCookie(c, SESSION_COOKIE);
  if (token && cookie) {
    const session = await readSession(cookie, await currentSessionSecret(c.env.CONFIG, token));
    if (session) await revokeSession(c.env.CONFIG, session);
  }
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
  return c.redirect('/admin', 303);
});

adminPages.get(RUN_PATH, async (c) => {
  const identity = await adminOrLogin(c, c.req.path);
  if (identity instanceof Response) return identity;
  const run = await getRun(c.env.CONFIG, c.env.WEATHER_IMAGES, c.req.param('runId'));
  if (!run) {
    return c.html(
      documentOf(
        <Layout title="Unknown run" nav="admin" noindex>
          <h1>Unknown run</h1>
          <p>
            Runs are kept for 24 hours. <a href="/admin">Back to the admin</a>
          </p>
        </Layout>,
      ),
      404,
    );
  }
  const tracing = !isTracingDisabled(c.env);
  const jaegerUrl = runTraceUrl(c.env, run);
  const searchUrl = tracing && run.zip ? jaegerZipSearchUrl(c.env, run.zip) : undefined;
  return c.html(documentOf(<RunPage run={run} jaegerUrl={jaegerUrl} jaegerSearchUrl={searchUrl} csrf={await pageCsrf(identity)} />));
});

adminPages.get('/admin/dead-letters', async (c) => {
  const identity = await adminOrLogin(c, c.req.path);
  if (identity instanceof Response) return identity;
  const letters = (await listDeadLetters(c.env.CONFIG)).reverse();
  const tracing = !isTracingDisabled(c.env);
  const rows = letters.map((letter) => ({ letter, traceUrl: tracing ? jaegerTraceUrl(c.env, letter.trace_id) : undefined }));
  return c.html(documentOf(<DeadLettersPage rows={rows} csrf={await pageCsrf(identity)} />));
});

answerWrongMethods(adminPages);
