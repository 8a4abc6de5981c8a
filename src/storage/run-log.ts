import { z } from 'zod';
import { imageKey, isFormatName } from '../domain/formats';
import { getImageMetadata } from './image-store';

/**
 * The record of one run a person started (an admin "Generate now", a replay), for the live run
 * view. A handful of KV keys at fixed names, each with one writer, so the view reads them with gets
 * (no KV list per poll) and concurrent writers never overwrite each other:
 * - `run:{id}` → started (web: zip, trigger, the caller's request id when it sent one, and whether
 *   the run's trace is head-sampled);
 * - `run:{id}:dispatched` → the weather's fetch time and provider, and the formats (dispatcher);
 * - `run:{id}:failed:{queue}` and, for landscape jobs, `run:{id}:failed:landscape-jobs:{format}` →
 *   that message's failures, attempt by attempt (the consumer's onFailure appends: deliveries of
 *   one message come one after another, seconds apart; only a stale KV read across locations could
 *   drop an earlier attempt from the list, and the dead letter itself is kept in `dlq:` anyway).
 * The images are not recorded: each format's R2 object says which run stored it (`run-id`) and
 * from which weather (`weather-fetched-at`).
 */
export const RUN_TTL_SECONDS = 24 * 3600;

const Started = z.object({ at: z.string(), zip: z.string(), trigger: z.string(), request_id: z.string().optional(), sampled: z.boolean().optional() });
const Dispatched = z.object({ at: z.string(), weather_fetched_at: z.string(), provider: z.string().optional(), formats: z.array(z.string()) });
export type Dispatched = z.infer<typeof Dispatched>;
const RunFailure = z.object({
  at: z.string(),
  stage: z.string(),
  outcome: z.enum(['retry', 'dead_letter']),
  error_type: z.string(),
  message: z.string(),
  attempts: z.number(),
});
export type RunFailure = z.infer<typeof RunFailure>;

const startedKey = (runId: string) => `run:${runId}`;
const dispatchedKey = (runId: string) => `run:${runId}:dispatched`;
const failedKey = (runId: string, queue: string, format?: string) => `run:${runId}:failed:${queue}${format ? `:${format}` : ''}`;
const putRecord = (kv: KVNamespace, key: string, value: unknown) => kv.put(key, JSON.stringify(value), { expirationTtl: RUN_TTL_SECONDS });
async function getRecord<T>(kv: KVNamespace, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const parsed = schema.safeParse(await kv.get(key, 'json'));
  return parsed.success ? parsed.data : undefined;
}

export async function recordRunStarted(kv: KVNamespace, runId: string, run: Omit<z.infer<typeof Started>, 'at'>, now = new Date()): Promise<void> {
  await putRecord(kv, startedKey(runId), { at: now.toISOString(), ...run });
}

export async function recordRunDispatched(kv: KVNamespace, runId: string | undefined, dispatched: Omit<Dispatched, 'at'>, now = new Date()): Promise<void> {
  if (!runId) return;
  await putRecord(kv, dispatchedKey(runId), { at: now.toISOString(), ...dispatched });
}

/** Appends one failed delivery to its message's failure record (format: the landscape job's). */
export async function appendRunFailure(kv: KVNamespace, runId: string, failure: Omit<RunFailure, 'at'>, format?: string, now = new Date()): Promise<void> {
  const key = failedKey(runId, failure.stage, format);
  const earlier = (await getRecord(kv, key, z.array(RunFailure))) ?? [];
  await putRecord(kv, key, [...earlier, { at: now.toISOString(), ...failure }]);
}

export type RunStatus = 'queued' | 'fetching' | 'rendering' | 'done' | 'failed';

/** The run view's stages after "queued", and the queue whose consumer does each. */
export type RunStage = 'weather' | 'dispatched' | 'images';
const STAGE_OF_QUEUE: Record<string, RunStage> = { 'fetch-jobs': 'weather', 'weather-ready': 'dispatched', 'landscape-jobs': 'images' };

export interface RunView {
  run_id: string;
  zip?: string;
  /** `admin` or `replay`. */
  trigger?: string;
  /** The `X-Request-ID` of the request that started the run, when its caller sent one. */
  request_id?: string;
  /** False when the run's trace was not head-sampled (no whole trace exists); absent when tracing was off. */
  sampled?: boolean;
  status: RunStatus;
  started_at?: string;
  /** When the weather this run draws from was fetched (its images' `weather-fetched-at`). */
  weather_fetched_at?: string;
  provider?: string;
  formats: string[];
  /** Images this run's weather is stored in (by this run, or by a redelivery of its jobs). */
  images: Array<{ format: string; bytes: number; url: string; at: string }>;
  /** Formats not stored because an image from newer weather already was. */
  skipped: Array<{ format: string; newer_weather_fetched_at: string }>;
  errors: RunFailure[];
  /** For a failed run: the stage that gave up (its first dead letter), and why. */
  failed_stage?: RunStage;
  failed_reason?: string;
}

/**
 * The run as the admin sees it, undefined when nothing is known. Cost per call: 4 KV gets, then per
 * dispatched format one KV get (its failures) and one R2 head (its image). No KV list.
 */
export async function getRun(kv: KVNamespace, bucket: R2Bucket, runId: string): Promise<RunView | undefined> {
  const [started, dispatched, fetchFailures, dispatchFailures] = await Promise.all([
    getRecord(kv, startedKey(runId), Started),
    getRecord(kv, dispatchedKey(runId), Dispatched),
    getRecord(kv, failedKey(runId, 'fetch-jobs'), z.array(RunFailure)),
    getRecord(kv, failedKey(runId, 'weather-ready'), z.array(RunFailure)),
  ]);
  if (!started && !dispatched && !fetchFailures && !dispatchFailures) return undefined;
  const view: RunView = {
    run_id: runId,
    zip: started?.zip,
    trigger: started?.trigger,
    request_id: started?.request_id,
    sampled: started?.sampled,
    status: 'queued',
    started_at: started?.at,
    weather_fetched_at: dispatched?.weather_fetched_at,
    provider: dispatched?.provider,
    formats: dispatched?.formats ?? [],
    images: [],
    skipped: [],
    errors: [...(fetchFailures ?? []), ...(dispatchFailures ?? [])],
  };
  const zip = started?.zip;
  const formats = view.formats.filter(isFormatName);
  const perFormat = await Promise.all(
    formats.map(async (format) => {
      const [failures, image] = await Promise.all([
        getRecord(kv, failedKey(runId, 'landscape-jobs', format), z.array(RunFailure)),
        zip && dispatched ? getImageMetadata(bucket, zip, format) : undefined,
      ]);
      return { format, failures, image };
    }),
  );
  const finished = new Set<string>();
  for (const { format, failures, image } of perFormat) {
    view.errors.push(...(failures ?? []));
    if (!image || !dispatched) continue;
    const mine = Date.parse(dispatched.weather_fetched_at);
    const stored = Date.parse(image.weatherFetchedAt);
    if (stored === mine) {
      view.images.push({ format, bytes: image.fileSize, url: `/${imageKey(image.zipCode, format)}`, at: image.generatedAt });
      finished.add(format);
    } else if (stored > mine) {
      view.skipped.push({ format, newer_weather_fetched_at: image.weatherFetchedAt });
      finished.add(format);
    }
  }
  view.errors.sort((a, b) => a.at.localeCompare(b.at));
  const firstDeadLetter = view.errors.find((e) => e.outcome === 'dead_letter');
  if (formats.length > 0 && formats.every((f) => finished.has(f))) view.status = 'done';
  else if (firstDeadLetter) {
    view.status = 'failed';
    view.failed_stage = STAGE_OF_QUEUE[firstDeadLetter.stage] ?? 'weather';
    view.failed_reason = firstDeadLetter.message;
  } else if (dispatched) view.status = 'rendering';
  else if (started) view.status = 'fetching';
  return view;
}
