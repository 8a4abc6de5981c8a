import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogLine, installLogBridge } from '../../../src/otel/log-bridge';
import { setContextAttributes } from '../../../src/otel/context-attributes';
import { ATTR_FORMAT, ATTR_RUN_ID, ATTR_ZIP } from '../../../src/tracing/run-attributes';
import { LOG_FIELDS } from '../../../src/tracing/log-fields';
import { StorageContextManager } from '../../support/context-manager';

/** One line the bridge wrote, parsed: a flat JSON object. */
const parseLine = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('log bridge', () => {
  it('writes one JSON object with level, message, service and fields', () => {
    const line = parseLine(formatLogLine('weather-fetcher', 'info', ['weather stored', { action: 'fetch_weather', hours: 26 }], { now: new Date(0) }));
    expect(line).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      message: 'weather stored',
      worker: 'weather-fetcher',
      service: 'weather-fetcher',
      action: 'fetch_weather',
      hours: 26,
    });
  });

  it("stamps the active span's trace_id and span_id", () => {
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const ctx = trace.setSpanContext(context.active(), spanContext);
    // Without a context manager, read the span through the API the bridge uses.
    const span = trace.getSpan(ctx)!;
    const original = trace.getActiveSpan;
    trace.getActiveSpan = () => span;
    try {
      const line = parseLine(formatLogLine('job-dispatcher', 'warn', ['x']));
      expect(line).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId, level: 'warn' });
    } finally {
      trace.getActiveSpan = original;
    }
  });

  it('cannot be forged by input: user text stays inside one JSON string, reserved keys are kept apart', () => {
    const evil = 'zip 12345\n{"level":"error","message":"fake","trace_id":"deadbeef"}';
    const out = formatLogLine('weather-landscape-web', 'info', [evil, { level: 'debug', trace_id: 'forged', worker: 'other' }]);
    expect(out.split('\n')).toHaveLength(1);
    const line = parseLine(out);
    expect(line.message).toBe(evil);
    expect(line.level).toBe('info');
    expect(line.trace_id).toBeUndefined();
    expect(line['field.trace_id']).toBe('forged');
    expect(line.worker).toBe('weather-landscape-web');
    expect(line['field.worker']).toBe('other');
  });

  it('writes a BigInt field as its decimal string, which plain JSON cannot write', () => {
    const line = parseLine(formatLogLine('image-generator', 'info', ['stored', { bytes: 2n ** 64n, action: 'generate_image' }]));
    expect(line).toMatchObject({ message: 'stored', bytes: '18446744073709551616', action: 'generate_image' });
  });

  it('redacts secrets and serializes errors', () => {
    const line = parseLine(formatLogLine('weather-fetcher', 'error', ['failed https://h/?appid=k', new TypeError('boom')]));
    expect(line.message).toBe('failed https://h/?appid=REDACTED');
    expect(line.error).toMatchObject({ type: 'TypeError', message: 'boom' });
  });

  it('replaces console methods once, each writing through its own level', () => {
    const calls: Array<[string, string]> = [];
    const target = {
      log: (s: string) => calls.push(['log', s]),
      info: (s: string) => calls.push(['info', s]),
      warn: (s: string) => calls.push(['warn', s]),
      error: (s: string) => calls.push(['error', s]),
      debug: (s: string) => calls.push(['debug', s]),
    } as unknown as Console;
    installLogBridge('svc', { target });
    target.warn('careful', { n: 1 });
    target.log('hello');
    expect(calls.map(([m, s]) => [m, parseLine(s).level, parseLine(s).message])).toEqual([
      ['warn', 'warn', 'careful'],
      ['log', 'info', 'hello'],
    ]);
  });

  describe('in a run (a real SDK span under a context manager, as in workerd)', () => {
    const manager = new StorageContextManager();
    const tracer = new BasicTracerProvider().getTracer('test');
    beforeAll(() => context.setGlobalContextManager(manager));
    afterAll(() => context.disable());

    it("stamps parent_span_id and the run's words from the context under the application's field names", () => {
      const run = setContextAttributes(ROOT_CONTEXT, { [ATTR_ZIP]: '78729', [ATTR_FORMAT]: 'eink', [ATTR_RUN_ID]: '4bf92f3577b34da6a3ce929d0e0e4736' });
      const parent = tracer.startSpan('send landscape-jobs', {}, run);
      const child = tracer.startSpan('process landscape-jobs', {}, trace.setSpan(run, parent));
      const line = context.with(trace.setSpan(run, child), () =>
        parseLine(formatLogLine('landscape-generator', 'info', ['image stored', { action: 'generate_image' }], { contextFields: LOG_FIELDS })),
      );
      expect(line).toMatchObject({
        worker: 'landscape-generator',
        action: 'generate_image',
        trace_id: parent.spanContext().traceId,
        span_id: child.spanContext().spanId,
        parent_span_id: parent.spanContext().spanId,
        zip_code: '78729',
        format_name: 'eink',
        run_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      });
      expect(line).not.toHaveProperty('trigger');
    });

    it('leaves parent_span_id out for a root span, and lets a field the call passes win over the context', () => {
      const run = setContextAttributes(ROOT_CONTEXT, { [ATTR_ZIP]: '78729' });
      const root = tracer.startSpan('POST /admin/dlq/replay', {}, run);
      const line = context.with(trace.setSpan(run, root), () =>
        parseLine(
          formatLogLine('weather-landscape-web', 'info', ['dead letter replayed', { action: 'replay_dead_letter', zip_code: '99701' }], {
            contextFields: LOG_FIELDS,
          }),
        ),
      );
      expect(line).not.toHaveProperty('parent_span_id');
      expect(line).toMatchObject({ span_id: root.spanContext().spanId, zip_code: '99701' });
    });

    it('stamps nothing from the context without a mapping (src/otel names no field itself)', () => {
      const run = setContextAttributes(ROOT_CONTEXT, { [ATTR_ZIP]: '78729' });
      const line = context.with(run, () => parseLine(formatLogLine('weather-fetcher', 'info', ['x'])));
      expect(line).not.toHaveProperty('zip_code');
      expect(Object.values(line)).not.toContain('78729');
    });
  });
});
