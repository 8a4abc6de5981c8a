import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageContextManager } from '../../support/context-manager';

/** Fresh modules for each test: our tracers keep the global provider's tracer they first got. */
async function freshOtel() {
  vi.resetModules();
  const { setBodyAttributes } = await import('../../../src/otel/context-attributes');
  const { startProcessSpan } = await import('../../../src/otel/queue-consumer');
  return { setBodyAttributes, startProcessSpan };
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function message(body: unknown): Message<unknown> {
  return { id: 'm-1', timestamp: new Date(), attempts: 1, body, ack: () => {}, retry: () => {} };
}

afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('startProcessSpan (queue-consumer.ts)', () => {
  it('with tracing switched off (no SDK anywhere), only strips the carrier: no span, no context attributes read', async () => {
    const { setBodyAttributes, startProcessSpan } = await freshOtel();
    const readBody = vi.fn(() => ({ 'app.zip': '73000' }));
    setBodyAttributes(readBody);
    const processing = startProcessSpan(message({ zip: '73000', _otel: { traceparent: TRACEPARENT } }), 'jobs');
    expect(processing.body).toEqual({ zip: '73000' });
    expect(processing.span.isRecording()).toBe(false);
    expect(processing.context).toBe(context.active());
    expect(readBody).not.toHaveBeenCalled();
    // Bodies that are not objects pass as they are.
    expect(startProcessSpan(message('text'), 'jobs').body).toBe('text');
  });

  it("with an SDK provider, records the message's span under the carrier's context, with the body's context attributes", async () => {
    const { setBodyAttributes, startProcessSpan } = await freshOtel();
    const ended: ReadableSpan[] = [];
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({
        spanProcessors: [{ onStart: () => {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
      }),
    );
    context.setGlobalContextManager(new StorageContextManager());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const readBody = vi.fn(() => ({ 'app.zip': '73000' }));
    setBodyAttributes(readBody);
    const processing = startProcessSpan(message({ zip: '73000', _otel: { traceparent: TRACEPARENT } }), 'jobs');
    processing.span.end();
    expect(processing.body).toEqual({ zip: '73000' });
    expect(readBody).toHaveBeenCalledOnce();
    expect(ended).toHaveLength(1);
    expect(ended[0].name).toBe('process jobs');
    expect(ended[0].spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(ended[0].spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    expect(ended[0].attributes['app.zip']).toBe('73000');
  });
});
