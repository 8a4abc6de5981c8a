import { Hono } from 'hono';
import { FORMAT_NAMES, type FormatName } from '../domain/formats';
import type { Env } from '../env';
import { isTracingDisabled } from '../otel';
import { ATTR_ZIP } from '../tracing/run-attributes';
import { SERVICE_NAMES } from '../tracing/service-names';
import { startRun } from '../pipeline/start-run';
import { addFormat, getFormats, removeFormat } from '../storage/format-config';
import { getRun } from '../storage/run-log';
import { registerZip, setZipActive } from '../storage/zip-registry';
import { requireAdmin } from './admin-auth';
import { dlqApi } from './dlq-api';
import { parseQuery, ZipFormatQuery, ZipQuery } from './http-input';
import { answeredWithRun } from './request-id';
import { answerWrongMethods } from './methods';
import { revokeAllSessions } from './session';
import { zipOverview } from './site-data';
import { runStages } from './pages/run';
import type { WebEnv } from './web-env';

export const DEFAULT_JAEGER_UI_URL = 'http://localhost:16686';

function jaegerBase(env: Env): string {
  return (env.JAEGER_UI_URL?.trim() || DEFAULT_JAEGER_UI_URL).replace(/\/+$/, '');
}

export function jaegerTraceUrl(env: Env, traceId: string): string {
  return `${jaegerBase(env)}/trace/${traceId}`;
}

/**
 * The link to a run's trace, or undefined when there is none to open: with tracing off the run id
 * is random, and a run whose trace was not head-sampled is not exported whole (at most the parts
 * of it that failed, kept by the error rule).
 */
export function runTraceUrl(env: Env, run: { run_id: string; sampled?: boolean }): string | undefined {
  return isTracingDisabled(env) || run.sampled === false ? undefined : jaegerTraceUrl(env, run.run_id);
}

/**
 * Jaeger UI's search for every run of a ZIP: the web worker's traces (every run's root is there)
 * tagged `weather_landscape.zip`; `tags` is the JSON object Jaeger UI's own search form puts in the URL.
 */
export function jaegerZipSearchUrl(env: Env, zip: string): string {
  const query = new URLSearchParams({ service: SERVICE_NAMES.web, tags: JSON.stringify({ [ATTR_ZIP]: zip }), lookback: '7d', limit: '50' });
  return `${jaegerBase(env)}/search?${query.toString()}`;
}

/**
 * The JSON admin API, mounted at /admin. Every route requires the admin token. Any call that names
 * a ZIP makes it known to the admin (listed in /admin and /admin/status, inactive unless activated):
 * activate/deactivate set its flag; generate and formats/add|remove register it.
 */
export const adminApi = new Hono<WebEnv>({ strict: true });

adminApi.use('*', requireAdmin());
adminApi.route('/dlq', dlqApi);

adminApi.post('/generate', async (c) => {
  const q = parseQuery(c, ZipQuery);
  if (!q.ok) return q.response;
  await registerZip(c.env.CONFIG, q.value.zip);
  const run = await startRun(c.env, q.value.zip, 'admin', { requestId: c.get('requestId') });
  answeredWithRun(c, run.runId);
  if (run.traceparent) c.header('traceparent', run.traceparent);
  return c.json(
    {
      success: true,
      zip: run.zip,
      message: `Generation queued for ZIP ${run.zip}`,
      trace_id: run.traceId || null,
      traceparent: run.traceparent ?? null,
      // Only for a sampled trace: an unsampled one (its caller's traceparent said so) is never exported whole.
      jaeger_url: run.traceId && run.sampled ? jaegerTraceUrl(c.env, run.traceId) : null,
      run_id: run.runId ?? null,
      run_url: run.runId ? `/admin/runs/${run.runId}` : null,
    },
    202,
  );
});

adminApi.get('/runs/:runId{[0-9a-f]{32}}', async (c) => {
  const run = await getRun(c.env.CONFIG, c.env.WEATHER_IMAGES, c.req.param('runId'));
  if (!run) return c.json({ error: 'Unknown run (runs are kept for 24 hours).' }, 404);
  return c.json({ ...run, stages: runStages(run), jaeger_url: runTraceUrl(c.env, run) ?? null });
});

adminApi.post('/activate', async (c) => {
  const q = parseQuery(c, ZipQuery);
  if (!q.ok) return q.response;
  await setZipActive(c.env.CONFIG, q.value.zip, true);
  return c.json({ success: true, zip: q.value.zip, active: true });
});

adminApi.post('/deactivate', async (c) => {
  const q = parseQuery(c, ZipQuery);
  if (!q.ok) return q.response;
  await setZipActive(c.env.CONFIG, q.value.zip, false);
  return c.json({ success: true, zip: q.value.zip, active: false });
});

adminApi.get('/formats', async (c) => {
  const q = parseQuery(c, ZipQuery);
  if (!q.ok) return q.response;
  return c.json({ zip: q.value.zip, formats: await getFormats(c.env.CONFIG, q.value.zip), available: FORMAT_NAMES });
});

adminApi.post('/formats/add', async (c) => {
  const q = parseQuery(c, ZipFormatQuery);
  if (!q.ok) return q.response;
  await registerZip(c.env.CONFIG, q.value.zip);
  const formats = await addFormat(c.env.CONFIG, q.value.zip, q.value.format as FormatName);
  return c.json({ success: true, zip: q.value.zip, formats });
});

adminApi.post('/formats/remove', async (c) => {
  const q = parseQuery(c, ZipFormatQuery);
  if (!q.ok) return q.response;
  try {
    await registerZip(c.env.CONFIG, q.value.zip);
    const formats = await removeFormat(c.env.CONFIG, q.value.zip, q.value.format as FormatName);
    return c.json({ success: true, zip: q.value.zip, formats });
  } catch (error) {
    if (error instanceof RangeError) return c.json({ error: error.message }, 400);
    throw error;
  }
});

adminApi.get('/status', async (c) => {
  const zips = await zipOverview(c.env.CONFIG, c.env.WEATHER_IMAGES);
  const entries = zips.map((entry) => ({
    zip: entry.zip,
    active: entry.active,
    updated_at: entry.updated_at ?? null,
    formats: entry.formats,
    images: entry.images.map((m) => ({ format: m.format, generated_at: m.generatedAt, bytes: m.fileSize })),
    // The whole record, reason and trace included (the public answers say it in words only).
    last_failure: entry.failure ?? null,
  }));
  return c.json({ zips: entries, active_zips: entries.filter((e) => e.active).map((e) => e.zip), available_formats: FORMAT_NAMES });
});

/** "Log out everywhere": ends every browser session and CSRF token (see session.ts). Bearer and Access callers are unaffected. */
adminApi.post('/sessions/revoke', async (c) => {
  await revokeAllSessions(c.env.CONFIG);
  return c.json({ success: true, message: 'Every admin session has ended.' });
});

answerWrongMethods(adminApi);
