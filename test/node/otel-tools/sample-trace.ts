/**
 * A small cross-service trace made with the real SDK, shaped like the app's
 * pipeline: an HTTP request in `web` enqueues a job that `generator` consumes
 * twice (a retry), each consumer rendering an image.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';

export const QUEUE = 'landscape-jobs';
export const SCOPE = 'otel-tools-test';
/** Fixed start so durations and offsets are exact: 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1);

export interface SampleTrace {
  spans: ReadableSpan[];
  traceId: string;
  producerSpanId: string;
}

function tracerFor(service: string, exporter: InMemorySpanExporter): Tracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return provider.getTracer(SCOPE, '1.0.0');
}

const childOf = (parent: Span) => trace.setSpan(ROOT_CONTEXT, parent);

/**
 * `consumers` process spans under the producer, each with a render child; times in ms from T0.
 * `exceptionStack`: the first render span records an exception with this stack.
 */
export function makeSampleTrace(consumers = 2, exceptionStack?: string): SampleTrace {
  const exporter = new InMemorySpanExporter();
  const web = tracerFor('web', exporter);
  const generator = tracerFor('generator', exporter);

  const request = web.startSpan(
    'GET /forecast',
    {
      kind: SpanKind.SERVER,
      startTime: T0,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_HTTP_ROUTE]: '/forecast', 'weather_landscape.zip': '78729' },
    },
    ROOT_CONTEXT,
  );
  const send = web.startSpan(
    `send ${QUEUE}`,
    {
      kind: SpanKind.PRODUCER,
      startTime: T0 + 5,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: 'cloudflare_queues',
        [ATTR_MESSAGING_DESTINATION_NAME]: QUEUE,
        [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        'weather_landscape.zip': '78729',
      },
    },
    childOf(request),
  );
  send.end(T0 + 15);
  request.end(T0 + 20);

  for (let i = 0; i < consumers; i++) {
    const start = T0 + 100 + i * 200;
    const consume = generator.startSpan(
      `process ${QUEUE}`,
      {
        kind: SpanKind.CONSUMER,
        startTime: start,
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: 'cloudflare_queues',
          [ATTR_MESSAGING_DESTINATION_NAME]: QUEUE,
          [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
          [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: 1,
          'app.attempt': i + 1,
          'app.retried': i > 0,
          'app.formats': ['png', 'webp'],
          'weather_landscape.zip': '78729',
          'weather_landscape.format': i % 2 === 0 ? 'bw' : 'eink',
        },
        links: [{ context: send.spanContext(), attributes: { 'app.link.reason': 'queue' } }],
      },
      childOf(send),
    );
    const render = generator.startSpan('render landscape', { kind: SpanKind.INTERNAL, startTime: start + 10 }, childOf(consume));
    render.addEvent('palette chosen', { 'app.palette': 'dusk' }, start + 20);
    if (i === 0) {
      render.setStatus({ code: SpanStatusCode.ERROR, message: 'font missing' });
      if (exceptionStack) render.recordException({ name: 'Error', message: 'font missing', stack: exceptionStack }, start + 30);
    }
    render.end(start + 90);
    consume.end(start + 100);
  }

  return {
    spans: exporter.getFinishedSpans(),
    traceId: request.spanContext().traceId,
    producerSpanId: send.spanContext().spanId,
  };
}
