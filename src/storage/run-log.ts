import { z } from 'zod';
import { listAllKeys } from './kv-list';

/**
 * What happened in one run started from the admin ("Generate now"), for the live run view.
 * Each event is its own KV key (`run:{run_id}:{n}`), written once: three generator invocations
 * finishing together cannot overwrite each other's progress as one shared record would.
 */
export const RUN_TTL_SECONDS = 24 * 3600;

export const RunEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), zip: z.string(), trigger: z.string() }),
  z.object({ type: z.literal('weather_fetched'), provider: z.string() }),
  z.object({ type: z.literal('jobs_dispatched'), formats: z.array(z.string()) }),
  z.object({ type: z.literal('image_stored'), format: z.string(), bytes: z.number(), url: z.string() }),
  z.object({ type: z.literal('image_skipped'), format: z.string(), reason: z.string() }),
  z.object({
    type: z.literal('failed'),
    stage: z.string(),
    outcome: z.enum(['retry', 'dead_letter']),
    error_type: z.string(),
    message: z.string(),
    attempts: z.number(),
  }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
const StoredEvent = z.object({ at: z.string() }).and(RunEvent);
type StoredEvent = z.infer<typeof StoredEvent>;

function eventKey(runId: string, event: RunEvent, now: Date): string {
  // Unique per writer without coordination: time + event identity + a random suffix.
  const detail = 'format' in event ? event.format : 'stage' in event ? event.stage : '';
  return `run:${runId}:${now.toISOString()}:${event.type}:${detail}:${crypto.randomUUID().slice(0, 8)}`;
}

export async function recordRunEvent(kv: KVNamespace, runId: string | undefined, event: RunEvent, now = new Date()): Promise<void> {
  if (!runId) return;
  await kv.put(eventKey(runId, event, now), JSON.stringify({ ...event, at: now.toISOString() }), { expirationTtl: RUN_TTL_SECONDS });
}

export type RunStatus = 'queued' | 'fetching' | 'rendering' | 'done' | 'failed';

/** The run view's stages after "queued", and the queue whose consumer does each. */
export type RunStage = 'weather' | 'dispatched' | 'images';
const STAGE_OF_QUEUE: Record<string, RunStage> = { 'fetch-jobs': 'weather', 'weather-ready': 'dispatched', 'landscape-jobs': 'images' };

export interface RunView {
  run_id: string;
  zip?: string;
  status: RunStatus;
  started_at?: string;
  weather_fetched_at?: string;
  formats: string[];
  images: Array<{ format: string; bytes: number; url: string; at: string }>;
  errors: Array<{ stage: string; outcome: string; error_type: string; message: string; attempts: number; at: string }>;
  /** For a failed run: the stage that gave up (its first dead letter), and why. */
  failed_stage?: RunStage;
  failed_reason?: string;
  events: StoredEvent[];
}

/** The run as the admin sees it, assembled from its events; undefined when nothing is known. */
export async function getRun(kv: KVNamespace, runId: string): Promise<RunView | undefined> {
  const keys = await listAllKeys(kv, `run:${runId}:`);
  if (keys.length === 0) return undefined;
  const events = (await Promise.all(keys.map((k) => kv.get(k, 'json'))))
    .map((raw) => StoredEvent.safeParse(raw))
    .flatMap((p) => (p.success ? [p.data] : []))
    .sort((a, b) => a.at.localeCompare(b.at));
  const view: RunView = { run_id: runId, status: 'queued', formats: [], images: [], errors: [], events };
  for (const e of events) {
    if (e.type === 'started') Object.assign(view, { zip: e.zip, started_at: e.at });
    if (e.type === 'weather_fetched') view.weather_fetched_at = e.at;
    if (e.type === 'jobs_dispatched') view.formats = e.formats;
    if (e.type === 'image_stored') {
      // A redelivered (duplicate) job stores its image again: one entry per format, the latest.
      view.images = view.images.filter((i) => i.format !== e.format);
      view.images.push({ format: e.format, bytes: e.bytes, url: e.url, at: e.at });
    }
    if (e.type === 'failed') view.errors.push({ stage: e.stage, outcome: e.outcome, error_type: e.error_type, message: e.message, attempts: e.attempts, at: e.at });
  }
  const finished = new Set(events.flatMap((e) => (e.type === 'image_stored' || e.type === 'image_skipped' ? [e.format] : [])));
  const deadLettered = view.errors.some((e) => e.outcome === 'dead_letter');
  if (view.formats.length > 0 && view.formats.every((f) => finished.has(f))) view.status = 'done';
  else if (deadLettered) {
    view.status = 'failed';
    const first = view.errors.find((e) => e.outcome === 'dead_letter')!;
    view.failed_stage = STAGE_OF_QUEUE[first.stage] ?? 'weather';
    view.failed_reason = first.message;
  }
  else if (view.weather_fetched_at) view.status = 'rendering';
  else if (view.started_at) view.status = 'fetching';
  return view;
}
