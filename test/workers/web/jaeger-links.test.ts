import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { recordRunStarted } from '../../../src/storage/run-log';
import { bearer, send, webEnv } from './web-client';

/** The admin's ZIP list and the run view link to Jaeger's search for every run of that ZIP. */
function searchLinks(page: string): URL[] {
  return [...page.matchAll(/href="([^"]*\/search\?[^"]*)"/g)].map((m) => new URL(m[1].replaceAll('&amp;', '&')));
}

describe('links to Jaeger search by ZIP', () => {
  it('on each ZIP of the admin dashboard and on the run view, tagged weather_landscape.zip', async () => {
    await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() });
    const admin = await (await send('/admin', { headers: bearer() })).text();
    const [link] = searchLinks(admin).filter((url) => url.searchParams.get('tags')?.includes('78729'));
    expect(link.origin + link.pathname).toBe('http://localhost:16686/search');
    expect(link.searchParams.get('service')).toBe('weather-landscape-web');
    expect(JSON.parse(link.searchParams.get('tags')!)).toEqual({ 'weather_landscape.zip': '78729' });

    const runId = 'c'.repeat(32);
    await recordRunStarted(env.CONFIG, runId, { zip: '78729', trigger: 'admin' });
    const run = await (await send(`/admin/run/${runId}`, { headers: bearer() })).text();
    expect(searchLinks(run).map((url) => JSON.parse(url.searchParams.get('tags')!) as unknown)).toEqual([{ 'weather_landscape.zip': '78729' }]);
  });

  it('not with tracing off: there is nothing to search', async () => {
    const off = webEnv({ OTEL_SDK_DISABLED: 'true' });
    await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() }, off);
    expect(searchLinks(await (await send('/admin', { headers: bearer() }, off)).text())).toEqual([]);
  });
});
