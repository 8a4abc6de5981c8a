import { randomBytes } from 'node:crypto';
import type { QueueMessageInput } from './miniflare-worker';

/** A fresh W3C traceparent: a new trace per message, as when each came from its own run (sampled unless told). */
export function newTraceparent(sampled = true): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}`;
}

/** The body as a real producer sends it: with a `_otel` carrier only when tracing is on. */
export function withCarrier<T extends object>(body: T, traced: boolean, sampled = true): T | (T & { _otel: { traceparent: string } }) {
  return traced ? { ...body, _otel: { traceparent: newTraceparent(sampled) } } : body;
}

export function toMessages(bodies: unknown[], idPrefix: string): QueueMessageInput[] {
  const timestamp = new Date();
  return bodies.map((body, i) => ({ id: `${idPrefix}-${i}`, timestamp, attempts: 1, body }));
}

/** A synthetic ZIP the weather stub knows (any 5-digit ZIP starting with 7). */
export function benchZip(base: number, i: number): string {
  return String(base + i).padStart(5, '0');
}
