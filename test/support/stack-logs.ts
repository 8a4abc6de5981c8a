/**
 * Reading the output of the `npm start` stack (test/e2e/stack.ts collects it as `lines`):
 * the workers' JSON log lines, and wrangler's own per-batch `QUEUE <name> <acked>/<total>` lines.
 *
 * The JSON lines are parsed by the same reader `npm start` uses for its log file
 * (scripts/stack-log.mjs): a line that arrived in pieces is joined again rather than dropped, so
 * counts made from these logs do not miss lines under load.
 */

import { parseLogLines, type LogLine } from '../../scripts/stack-log.mjs';

export { parseLogLines, type LogLine };

const ANSI = /\x1b\[[0-9;]*m/g;

export function logsNamed(lines: readonly string[], message: string): LogLine[] {
  return parseLogLines(lines).filter((l) => l.message === message);
}

export interface QueueBatchLine {
  queue: string;
  acked: number;
  total: number;
}

/** wrangler's line per delivered batch: `QUEUE fetch-jobs 1/1 (55ms)`; `total - acked` messages were retried. */
export function queueBatches(lines: readonly string[]): QueueBatchLine[] {
  const out: QueueBatchLine[] = [];
  for (const raw of lines) {
    const match = /\bQUEUE (\S+) (\d+)\/(\d+)\b/.exec(raw.replace(ANSI, ''));
    if (match) out.push({ queue: match[1], acked: Number(match[2]), total: Number(match[3]) });
  }
  return out;
}

/** Sums of acked and not-acked (retried) messages per queue, from wrangler's QUEUE lines. */
export function queueTotals(lines: readonly string[]): Map<string, { acked: number; retried: number; batches: number }> {
  const totals = new Map<string, { acked: number; retried: number; batches: number }>();
  for (const b of queueBatches(lines)) {
    const t = totals.get(b.queue) ?? { acked: 0, retried: 0, batches: 0 };
    t.acked += b.acked;
    t.retried += b.total - b.acked;
    t.batches += 1;
    totals.set(b.queue, t);
  }
  return totals;
}

/**
 * Lines that would mean a queue handler threw (the runtime then retries the whole batch) or the
 * runtime itself dead-lettered or dropped a message our consumer did not settle.
 */
export function crashLines(lines: readonly string[]): string[] {
  return lines
    .map((l) => l.replace(ANSI, ''))
    .filter((l) => /Uncaught|Unhandled|uncaught exception|Moving message .* to dead letter queue|Dropped message|could not be settled/i.test(l));
}

/**
 * wrangler dev reloads when its config files change. Every `npm start` writes the SAME files
 * (.wrangler/local/wrangler.*.json, scripts/local-config.mjs), so a second stack started while this
 * one runs (another test file, another engineer, a benchmark) silently swaps this stack's vars for
 * its own (admin token, weather URL, OTLP endpoint): everything after that is not this test's stack.
 */
export function configReloads(lines: readonly string[]): string[] {
  return lines.filter((l) => /Reloading local server/.test(l.replace(ANSI, '')));
}

export function assertNoConfigReload(lines: readonly string[]): void {
  if (configReloads(lines).length > 0) {
    throw new Error(
      'the stack reloaded its config during the test: another `npm start` rewrote .wrangler/local/wrangler.*.json ' +
        "(shared by every stack) and this stack now runs with that stack's vars; the results of this run are not valid",
    );
  }
}
