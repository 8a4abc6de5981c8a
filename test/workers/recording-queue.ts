/** Wraps a real queue binding: every message is still sent, and also recorded for assertions. */
export interface RecordingQueue extends Queue {
  sent: unknown[];
  batches: number;
}

export function recordingQueue(real: Queue): RecordingQueue {
  const sent: unknown[] = [];
  const recorder = {
    sent,
    batches: 0,
    async send(body: unknown, options?: QueueSendOptions) {
      sent.push(body);
      return real.send(body, options);
    },
    async sendBatch(messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
      recorder.batches++;
      const list = [...messages];
      for (const m of list) sent.push(m.body);
      return real.sendBatch(list, options);
    },
  };
  return recorder as unknown as RecordingQueue;
}
