import { env } from 'cloudflare:test';
import type { ReceivedPost, ReceivedSpan, ReceiverMode } from '../../src/otel/testing';

/** Talks to the Node-side control server of test/support/global-setup.ts from inside workerd. */
const base = () => (env as unknown as { TEST_CONTROL_URL: string }).TEST_CONTROL_URL;

export async function receivedPosts(): Promise<ReceivedPost[]> {
  return (await fetch(`${base()}/otlp/posts`)).json();
}

/** Spans as the receiver decoded them; times arrive as strings. */
export async function receivedSpans(): Promise<ReceivedSpan[]> {
  return (await fetch(`${base()}/otlp/spans`)).json();
}

export async function clearReceiver(): Promise<void> {
  await fetch(`${base()}/otlp/clear`, { method: 'POST' });
}

export async function setReceiverMode(mode: ReceiverMode, delayMs?: number): Promise<void> {
  await fetch(`${base()}/otlp/mode`, { method: 'POST', body: JSON.stringify({ mode, delayMs }) });
}
