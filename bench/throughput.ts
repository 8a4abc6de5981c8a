import { FORMAT_NAMES } from '../src/domain/formats';
import { mapLimit } from './lib/concurrency';
import { LogWatch, messageOf } from './lib/log-watch';
import { benchZip } from './lib/queue-messages';
import { median, round, sleep } from './lib/stats';
import type { StackSession } from './lib/stack-session';
import { judgedRow, type FigureResult, type Row } from './table';

/**
 * Figure 5: images per second through the real local stack (tracing on): N ZIPs × 5 formats,
 * formats configured through the admin API first, then N `POST /admin/generate` fired 20 at a
 * time; the clock stops when every image is stored. Progress comes from the generator's
 * "image stored" log lines (written after the R2 put and the KV metadata put), read every 20 ms:
 * this costs the stack nothing, where polling 1,000 image URLs would compete for the 2 cores.
 * The count is then checked once against GET /admin/status (KV metadata).
 * Run at two sizes to show how the time grows (per-ZIP time should stay about the same), three
 * times each, alternating, and the medians compared.
 */
const CONCURRENCY = 20;
const CHECK_EVERY_MS = 20;
/** No new image for this long: ask /admin/status whether the logs were missed or the work stalled. */
const STALL_MS = 30_000;
const LINEAR_TOLERANCE = 1.25;

interface Phase {
  zips: number;
  zipBase: number;
}

export interface PhaseRaw {
  zips: number;
  formats: number;
  expectedImages: number;
  storedImages: number;
  verifiedImages: number;
  deadLettered: number;
  setupSeconds: number;
  /** Time until the last generate request was accepted (202). */
  fireSeconds: number;
  seconds: number;
  imagesPerSecond: number;
  secondsPerZip: number;
  complete: boolean;
  completedBy: 'logs' | 'status' | 'timeout';
  /** Seconds after the start at which 25/50/75/100 % of the images were stored. */
  quartilesSeconds: number[];
  /** First and last time (s after the start) each pipeline stage logged for this phase's ZIPs: where the time went. */
  stages: Record<string, { count: number; firstSeconds: number; lastSeconds: number }>;
  otlpPosts: number;
  spans: number;
}

/** The log line each stage writes once per ZIP (or per image), in pipeline order. */
const STAGE_MESSAGES = ['run started', 'weather fetched', 'landscape jobs dispatched', 'image stored'];

interface StatusBody {
  zips: Array<{ zip: string; images: Array<{ format: string; generated_at: string }> }>;
}

async function admin(session: StackSession, path: string): Promise<void> {
  const res = await session.stack.admin(path);
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${text.slice(0, 200)}`);
}

/** Images of these ZIPs whose metadata was written after `sinceMs`. */
async function countStoredViaStatus(session: StackSession, zips: Set<string>, sinceMs: number): Promise<number> {
  const res = await fetch(`${session.stack.baseUrl}/admin/status`, { headers: { authorization: `Bearer ${session.stack.token}` } });
  if (!res.ok) throw new Error(`GET /admin/status answered ${res.status}`);
  const body = (await res.json()) as StatusBody;
  return body.zips
    .filter((z) => zips.has(z.zip))
    .reduce((n, z) => n + z.images.filter((i) => Date.parse(i.generated_at) >= sinceMs).length, 0);
}

async function runPhase(session: StackSession, phase: Phase): Promise<PhaseRaw> {
  const zips = Array.from({ length: phase.zips }, (_, i) => benchZip(phase.zipBase, i));
  const zipSet = new Set(zips);
  const expected = zips.length * FORMAT_NAMES.length;

  // Setup (not timed): activate each ZIP (so /admin/status lists it) and add the four extra formats.
  const setupStart = performance.now();
  await mapLimit(zips, CONCURRENCY, async (zip) => {
    await admin(session, `/admin/activate?zip=${zip}`);
    for (const format of FORMAT_NAMES) if (format !== 'rgb_light') await admin(session, `/admin/formats/add?zip=${zip}&format=${format}`);
  });
  const setupSeconds = (performance.now() - setupStart) / 1000;
  await sleep(1000);
  session.receiver.clear();

  const logs = new LogWatch(session.stack.lines);
  const stored = new Set<string>();
  const storedAt: number[] = [];
  let deadLettered = 0;
  const stages: PhaseRaw['stages'] = {};
  const wallStart = Date.now();
  const start = performance.now();
  const firing = mapLimit(zips, CONCURRENCY, async (zip) => {
    const res = await session.stack.admin(`/admin/generate?zip=${zip}`);
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`POST /admin/generate?zip=${zip} answered ${res.status}`);
  }).then(() => (performance.now() - start) / 1000);
  let fireError: unknown;
  firing.catch((error) => (fireError = error));

  // Generous (a quiet run takes ~0.05 s per ZIP) but bounded: a broken stack must not eat the time budget.
  const timeoutMs = 30_000 + phase.zips * 500;
  let completedBy: PhaseRaw['completedBy'] = 'timeout';
  let lastProgress = performance.now();
  for (;;) {
    for (const log of logs.next()) {
      const message = messageOf(log);
      // A dead-lettered body need not hold a valid ZIP, so its line may carry none; in a phase every message is the phase's own.
      if (message === 'queue message dead-lettered') deadLettered++;
      const zip = String(log.zip_code ?? '');
      if (STAGE_MESSAGES.includes(message) && zipSet.has(zip)) {
        const at = round((performance.now() - start) / 1000, 3);
        const stage = (stages[message] ??= { count: 0, firstSeconds: at, lastSeconds: at });
        stage.count++;
        stage.lastSeconds = at;
      }
      if (message === 'image stored' && zipSet.has(zip)) {
        const key = `${zip}/${String(log.format_name)}`;
        if (!stored.has(key)) {
          stored.add(key);
          storedAt.push(performance.now() - start);
          lastProgress = performance.now();
        }
      }
    }
    if (fireError) throw fireError;
    if (stored.size >= expected) {
      completedBy = 'logs';
      break;
    }
    const now = performance.now();
    if (now - lastProgress > STALL_MS) {
      if ((await countStoredViaStatus(session, zipSet, wallStart)) >= expected) {
        completedBy = 'status';
        break;
      }
      lastProgress = performance.now();
    }
    if (now - start > timeoutMs) break;
    await sleep(CHECK_EVERY_MS);
  }
  const seconds = (performance.now() - start) / 1000;
  const fireSeconds = await firing.catch(() => Number.NaN);
  const verifiedImages = await countStoredViaStatus(session, zipSet, wallStart);
  const count = completedBy === 'status' ? verifiedImages : stored.size;
  const quartile = (q: number) => storedAt[Math.max(0, Math.ceil(q * storedAt.length) - 1)] / 1000;
  return {
    zips: phase.zips,
    formats: FORMAT_NAMES.length,
    expectedImages: expected,
    storedImages: stored.size,
    verifiedImages,
    deadLettered,
    setupSeconds: round(setupSeconds, 2),
    fireSeconds: round(fireSeconds, 2),
    seconds: round(seconds, 3),
    imagesPerSecond: round(count / seconds, 2),
    secondsPerZip: round(seconds / phase.zips, 4),
    complete: completedBy !== 'timeout',
    completedBy,
    stages,
    quartilesSeconds: storedAt.length ? [0.25, 0.5, 0.75, 1].map((q) => round(quartile(q), 2)) : [],
    otlpPosts: session.receiver.posts.length,
    spans: session.receiver.spans.length,
  };
}

interface SizeSummary {
  zips: number;
  formats: number;
  expectedImages: number;
  runs: PhaseRaw[];
  complete: boolean;
  /** Median over the repetitions (the machine is shared: one slow repetition must not decide). */
  seconds: number;
  imagesPerSecond: number;
  secondsPerZip: number;
}

function summarize(runs: PhaseRaw[]): SizeSummary {
  const seconds = median(runs.map((r) => r.seconds));
  const { zips, formats, expectedImages } = runs[0];
  return {
    zips,
    formats,
    expectedImages,
    runs,
    complete: runs.every((r) => r.complete),
    seconds: round(seconds, 3),
    imagesPerSecond: round(expectedImages / seconds, 2),
    secondsPerZip: round(seconds / zips, 4),
  };
}

export async function benchThroughput(session: StackSession, options: { quick: boolean }): Promise<FigureResult> {
  const [smallZips, largeZips] = options.quick ? [10, 40] : [50, 200];
  const repetitions = options.quick ? 1 : 3;
  const small: PhaseRaw[] = [];
  const large: PhaseRaw[] = [];
  // Alternating sizes, each repetition on fresh ZIPs (cold geocode cache, as for a first run).
  for (let r = 0; r < repetitions; r++) {
    small.push(await runPhase(session, { zips: smallZips, zipBase: 71000 + r * smallZips }));
    session.receiver.clear();
    large.push(await runPhase(session, { zips: largeZips, zipBase: 70000 + r * largeZips }));
    session.receiver.clear();
    // A run that timed out means the stack is stuck: more repetitions would only burn time.
    if (!small[r].complete || !large[r].complete) break;
  }
  const sizes = [summarize(small), summarize(large)];
  const rows: Row[] = sizes.map((s) => {
    const incomplete = s.runs.find((r) => !r.complete);
    const count = incomplete ? `${Math.max(incomplete.storedImages, incomplete.verifiedImages)}/${s.expectedImages} (A RUN TIMED OUT)` : `${s.expectedImages}`;
    const each = s.runs.length > 1 ? `; runs ${s.runs.map((r) => r.seconds.toFixed(1)).join(', ')} s` : '';
    return {
      figure: `throughput: ${s.zips} ZIPs × ${s.formats} formats`,
      measured: `${count} images in ${s.seconds.toFixed(1)} s = ${s.imagesPerSecond.toFixed(1)} images/s (${s.secondsPerZip.toFixed(3)} s/ZIP${each})`,
      target: '—',
      met: null,
      how: `outside worker: Node clock, first POST → last "image stored" log line (median of ${s.runs.length}); checked via /admin/status`,
    };
  });
  const [a, b] = sizes;
  const perZipRatio = b.secondsPerZip / a.secondsPerZip;
  // Each repetition's own ratio (its small and its large run, back to back): their range is what the verdict rests on.
  const pairRatios = large.map((l, r) => l.seconds / l.zips / (small[r].seconds / small[r].zips));
  const ratioRange: [number, number] = [Math.min(...pairRatios), Math.max(...pairRatios)];
  const growth = {
    figure: `throughput growth: ${a.zips} → ${b.zips} ZIPs`,
    measured: `${a.seconds.toFixed(1)} s → ${b.seconds.toFixed(1)} s (×${(b.seconds / a.seconds).toFixed(2)} for ×${b.zips / a.zips} ZIPs); per-ZIP ratio ${perZipRatio.toFixed(2)} (repetitions ${pairRatios.map((v) => v.toFixed(2)).join(', ')})`,
    target: `~linear: per-ZIP ratio ≤ ${LINEAR_TOLERANCE}`,
    how: `outside worker: ratio of the two medians above; verdict from the range of the ${pairRatios.length} repetitions' own ratios`,
  };
  // One repetition (--quick) is one noisy ratio, not an interval: no verdict from it.
  if (!a.complete || !b.complete) rows.push({ ...growth, met: false });
  else if (pairRatios.length < 2) rows.push({ ...growth, met: 'not judged' });
  else rows.push(judgedRow(growth, { interval: ratioRange, limit: LINEAR_TOLERANCE, sense: 'at most' }));
  return { rows, raw: { concurrency: CONCURRENCY, checkEveryMs: CHECK_EVERY_MS, repetitions, sizes, perZipRatio: round(perZipRatio, 3), pairRatios: pairRatios.map((v) => round(v, 3)) } };
}
