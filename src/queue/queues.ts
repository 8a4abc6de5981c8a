import type { z } from 'zod';
import { FetchJob, LandscapeJob, WeatherReady } from '../messages/schemas';

/** Every queue of the pipeline: its name, the producer binding that sends to it, and its body schema. */
export const QUEUES = {
  'fetch-jobs': { name: 'fetch-jobs', binding: 'FETCH_JOBS', schema: FetchJob },
  'weather-ready': { name: 'weather-ready', binding: 'WEATHER_READY', schema: WeatherReady },
  'landscape-jobs': { name: 'landscape-jobs', binding: 'LANDSCAPE_JOBS', schema: LandscapeJob },
} as const;

export type QueueName = keyof typeof QUEUES;
export type QueueBody<Q extends QueueName> = z.infer<(typeof QUEUES)[Q]['schema']>;

/** Each queue's dead-letter queue is named `<queue>-dlq`; the consumer sends there itself, with the reason. */
export function deadLetterQueueName(queue: QueueName): string {
  return `${queue}-dlq`;
}

export function isQueueName(value: string): value is QueueName {
  return Object.hasOwn(QUEUES, value);
}

/** The queue behind each producer binding of a worker that consumes `consumed` (its DEAD_LETTERS binding sends to `<consumed>-dlq`). */
export function queueBindings(consumed?: QueueName): Partial<Record<string, string>> {
  const bindings: Partial<Record<string, string>> = Object.fromEntries(Object.values(QUEUES).map((q) => [q.binding, q.name]));
  if (consumed) bindings.DEAD_LETTERS = deadLetterQueueName(consumed);
  return bindings;
}
