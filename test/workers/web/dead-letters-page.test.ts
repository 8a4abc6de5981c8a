import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { storeDeadLetter } from '../../../src/storage/dead-letter-store';
import { bearer, clearKv, csrfFromPage, login, send, sameOrigin, webEnv } from './web-client';

/** The admin's Dead letters page, and a replay that becomes a new run the admin can follow. */
const TRACE = '6e0c63257de34c92bf9efcd03927272e';
const RUN = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

async function seed(): Promise<string> {
  return storeDeadLetter(env.CONFIG, {
    schema_version: 1,
    queue: 'fetch-jobs',
    message_id: 'msg-1',
    attempts: 1,
    reason: 'Unknown ZIP 99999: no US result from the geocoder',
    error_type: 'UnknownZipError',
    trace_id: TRACE,
    span_id: '2a1b3c4d5e6f7a8b',
    dead_lettered_at: '2026-11-28T10:00:00.000Z',
    body: { schema_version: 1, zip_code: '99999', scheduled_at: '2026-11-28T09:59:59.000Z', trigger: 'admin', run_id: RUN },
  });
}

beforeEach(() => clearKv(['dlq:', 'run:']));

describe('Dead letters page', () => {
  it('asks a browser without a session to log in, and comes back here after', async () => {
    const res = await send('/admin/dead-letters');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="next" value="/admin/dead-letters"');
    expect(html).not.toContain('Unknown ZIP 99999');
  });

  it('lists each dead letter: stage, reason, queue, attempts, time, trace and run links, body, Replay', async () => {
    const id = await seed();
    const html = await (await send('/admin/dead-letters', { headers: bearer() })).text();
    expect(html).toContain('<h1>Dead letters (1)</h1>');
    expect(html).toContain('Fetching the weather · ZIP 99999');
    expect(html).toContain('Unknown ZIP 99999: no US result from the geocoder');
    expect(html).toContain('<code>fetch-jobs</code>');
    expect(html).toContain('<code>UnknownZipError</code>');
    expect(html).toContain('datetime="2026-11-28T10:00:00.000Z"');
    expect(html).toContain(`href="http://localhost:16686/trace/${TRACE}"`);
    expect(html).toContain(`href="/admin/run/${RUN}"`);
    expect(html).toContain('&quot;zip_code&quot;: &quot;99999&quot;');
    expect(html).toContain(`data-action="replay" data-id="${id}"`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('Replay needs the CSRF token with a session, and answers the new run, which has a record of its own', async () => {
    const id = await seed();
    const { cookie } = await login();
    const headers = { cookie: cookie! };
    const replay = (extra: Record<string, string>) =>
      send(`/admin/dlq/replay?id=${encodeURIComponent(id)}`, { method: 'POST', headers: { ...headers, ...sameOrigin(extra) } }, webEnv());
    expect((await replay({})).status).toBe(403);
    const csrf = await csrfFromPage(headers, undefined, '/admin/dead-letters');
    const res = await replay({ 'x-csrf-token': csrf });
    expect(res.status).toBe(202);
    const body = await res.json<{ run_id: string; queue: string }>();
    expect(body.queue).toBe('fetch-jobs');
    expect(body.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.run_id).not.toBe(RUN);
    const run = await (await send(`/admin/runs/${body.run_id}`, { headers: bearer() })).json<{ zip: string; trigger: string }>();
    expect(run.zip).toBe('99999');
    expect(run.trigger).toBe('replay');
    expect(await (await send('/admin/dead-letters', { headers: bearer() })).text()).toContain('<h1>Dead letters (0)</h1>');
  });
});
