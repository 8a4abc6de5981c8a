import { env } from 'cloudflare:test';
import { vi } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { memoryExporter } from './memory-spans';

/** Attributes our code set on one native span, as the streaming tail received them. */
export interface NativeAttributes {
  traceId: string;
  spanId: string;
  attributes: Record<string, unknown>;
}

/** Everything the native tail worker received so far (test/support/native-tail-worker.js). */
export async function nativeAttributes(): Promise<NativeAttributes[]> {
  return (await env.NATIVE_TAIL.fetch('http://native-tail/')).json();
}

/** The native span whose attributes list `traceId` among our trace ids (a bounded poll: tail events arrive after the invocation). */
export async function nativeSpanWith(traceId: string, poll?: { timeout: number; interval: number }): Promise<NativeAttributes> {
  return vi.waitFor(async () => {
    const found = (await nativeAttributes()).find((n) => {
      const ids = n.attributes['weather_landscape.trace_id'];
      return typeof ids === 'string' && ids.split(',').includes(traceId);
    });
    if (!found) throw new Error(`no native span carries our trace id ${traceId}`);
    return found;
  }, poll);
}

/**
 * The worker's scheduled handler called through a service binding to the worker itself: the runtime
 * runs it as an RPC call (it passes env and ctx after the argument, and answers undefined), so it is
 * a real invocation with its own native span, though not a scheduled event. SELF cannot make it (its
 * proxy fails to clone the call), and calling the handler directly from a test has no native span.
 */
export const invoke = env.WORKER_UNDER_TEST as unknown as {
  scheduled(controller: { cron: string; scheduledTime: Date }): Promise<unknown>;
};

/** Spans are exported in the invocation's waitUntil, after SELF's call has returned: a bounded poll for them. */
export async function exportedSpans(match: (span: ReadableSpan) => boolean, count = 1, poll?: { timeout: number; interval: number }): Promise<ReadableSpan[]> {
  return vi.waitFor(() => {
    const spans = memoryExporter.getFinishedSpans().filter(match);
    if (spans.length < count) throw new Error(`waiting for ${count} exported span(s), have ${spans.length}`);
    return spans;
  }, poll);
}
