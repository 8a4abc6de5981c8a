/**
 * What the injection suite (test/e2e/injection.test.ts) sends through the real queues, built the
 * same way on both sides: the test (in Node) plans batches and expectations from it, the injector
 * worker (in workerd) builds the very bodies from it, so values only V8 serialization carries
 * (BigInt, cycles, Map …) never need describing in a request. Deterministic for a given seed.
 */
import { malformedCases, QUEUE_FIELDS, toleratedCases, type ContentType } from '../../support/malformed-bodies';
import { FIXTURES } from '../../fixtures/forecasts';

export const INJECTED_QUEUES = ['fetch-jobs', 'weather-ready', 'landscape-jobs'] as const;
export type InjectedQueue = (typeof INJECTED_QUEUES)[number];

/** The ZIP every valid body is about. */
export const ZIP = '78729';
const AT = '2026-06-21T12:00:00.000Z';
/** The forecast valid weather-ready and landscape-jobs bodies carry, as the fetcher sends it. */
const base = Object.values(FIXTURES)[0];
const FORECAST = { ...base, location: { ...base.location, zip: ZIP }, source: { provider: 'open-meteo', fetchedAt: AT } };

function validBody(queue: InjectedQueue, runId: string): Record<string, unknown> {
  switch (queue) {
    case 'fetch-jobs':
      return { schema_version: 1, zip_code: ZIP, scheduled_at: AT, trigger: 'admin', run_id: runId };
    case 'weather-ready':
      return { schema_version: 1, zip_code: ZIP, lat: 30.45, lon: -97.79, fetched_at: AT, run_id: runId, forecast: FORECAST };
    case 'landscape-jobs':
      return {
        schema_version: 1,
        zip_code: ZIP,
        format_name: 'rgb_light',
        lat: 30.45,
        lon: -97.79,
        fetched_at: AT,
        enqueued_at: AT,
        run_id: runId,
        forecast: FORECAST,
      };
  }
}

export interface InjectionCase {
  index: number;
  name: string;
  /** malformed: must end as exactly one dead letter naming `field`; valid: must be processed. */
  kind: 'malformed' | 'valid';
  body: unknown;
  contentType: ContentType;
  /** malformed: the field the dead letter's reason names. */
  field?: string;
  /** malformed: the dead letter keeps a preview, not the body. */
  preview?: boolean;
  /** A string inside the body (and so inside its dead letter) that identifies the case, when the body can hold one. */
  probe?: string;
  /** valid: the run this body reports its processing to. */
  runId?: string;
}

/** A run id (32 lower-case hex) of this seed: the seed's 16 hex, the queue, a counter. */
function runIdOf(seed: string, queue: InjectedQueue, n: number): string {
  return `${seed}${INJECTED_QUEUES.indexOf(queue).toString(16).padStart(2, '0')}${n.toString(16).padStart(14, '0')}`;
}

/** Writes the probe into a body that can hold one; bodies that cannot (numbers, strings, bytes, dates) stay as they are. */
function tag(body: unknown, probe: string): boolean {
  if (body instanceof Map) return (body.set('_probe', probe), true);
  if (body instanceof Set) return (body.add(probe), true);
  if (Array.isArray(body)) return (body.push(probe), true);
  if (typeof body === 'object' && body !== null && [Object.prototype, null].includes(Object.getPrototypeOf(body) as object | null)) {
    (body as Record<string, unknown>)._probe = probe;
    return true;
  }
  return false;
}

/**
 * The cases for one queue: every malformed body of the catalogue, and the valid ones (the
 * catalogue's odd-but-valid bodies and carriers, then plain valid bodies), each with its own run.
 */
export function injectionCases(queue: InjectedQueue, seed: string, plainValid = 10): InjectionCase[] {
  if (!/^[0-9a-f]{16}$/.test(seed)) throw new Error('seed must be 16 lower-case hex digits');
  const base = validBody(queue, runIdOf(seed, queue, 0));
  const cases: InjectionCase[] = [];
  for (const c of malformedCases(base, QUEUE_FIELDS[queue])) {
    const index = cases.length;
    const probe = `~${seed}:${queue}:${index}~`;
    cases.push({
      index,
      name: c.name,
      kind: 'malformed',
      body: c.body,
      contentType: c.contentType ?? 'json',
      field: c.field,
      preview: c.preview,
      ...(tag(c.body, probe) ? { probe } : {}),
    });
  }
  let n = 1;
  const valid = [
    ...toleratedCases(base),
    ...Array.from({ length: plainValid }, (_, i) => ({ name: `a plain valid body #${i + 1}`, body: { ...base }, contentType: undefined })),
  ];
  for (const t of valid) {
    const runId = runIdOf(seed, queue, n++);
    (t.body as Record<string, unknown>).run_id = runId;
    cases.push({ index: cases.length, name: t.name, kind: 'valid', body: t.body, contentType: t.contentType ?? 'json', runId });
  }
  return cases;
}
