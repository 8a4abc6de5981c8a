import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../../src/workers/web';
import type { Env } from '../../../src/env';

/** Helpers for calling the web worker as a browser or an API client would. */
export const TOKEN = 'test-admin-token-0123456789abcdef';
export const ORIGIN = 'http://localhost';

export function webEnv(overrides: Partial<Env> = {}): Env {
  return { ...env, ...overrides };
}

/**
 * Calls the worker with `path` appended to `base` verbatim (no URL resolution by us). Each call is a
 * client of its own (CF-Connecting-IP) unless it names one, so a test's wrong credentials never
 * count against another request's limit (src/web/auth-rate-limit.ts).
 */
export async function send(path: string, init: RequestInit = {}, e: Env = webEnv(), base = ORIGIN): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', clientIp());
  const request = new Request(`${base}${path}`, { redirect: 'manual', ...init, headers }) as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch!(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

/** An admin API call with the bearer token, as a script calls it. */
export function admin(path: string, e: Env = webEnv(), method = 'GET'): Promise<Response> {
  return send(path, { method, headers: bearer() }, e);
}

let clients = 0;
/** A client address of its own for each login, so the login rate limit (per CF-Connecting-IP) never counts one test against another. */
export function clientIp(): string {
  clients += 1;
  return `198.51.${Math.floor(clients / 250) % 250}.${(clients % 250) + 1}`;
}

/** Posts the login form from our own origin; returns the response and the `name=value` of the session cookie. */
export async function login(
  token = TOKEN,
  options: { e?: Env; base?: string; next?: string; headers?: Record<string, string> } = {},
): Promise<{ response: Response; cookie?: string; setCookie: string }> {
  const base = options.base ?? ORIGIN;
  const body = new URLSearchParams({ token });
  if (options.next !== undefined) body.set('next', options.next);
  const response = await send(
    '/admin/login',
    {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: base,
        'sec-fetch-site': 'same-origin',
        'cf-connecting-ip': clientIp(),
        ...options.headers,
      },
    },
    options.e,
    base,
  );
  const setCookie = response.headers.get('set-cookie') ?? '';
  const match = /^(wl_session=[^;]+)/.exec(setCookie);
  return { response, cookie: match?.[1], setCookie };
}

/** The CSRF token the admin page hands to admin.js. */
export async function csrfFromPage(headers: Record<string, string>, e?: Env, path = '/admin'): Promise<string> {
  const html = await (await send(path, { headers }, e)).text();
  const match = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no csrf-token meta on ${path}:\n${html.slice(0, 400)}`);
  return match[1];
}

/** A same-origin fetch from admin.js: Origin and Sec-Fetch-Site as chromium sends them. */
export function sameOrigin(extra: Record<string, string> = {}): Record<string, string> {
  return { origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...extra };
}

export async function clearKv(prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) {
    for (const key of (await env.CONFIG.list({ prefix })).keys) await env.CONFIG.delete(key.name);
  }
}
