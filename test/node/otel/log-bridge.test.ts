import { context, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { formatLogLine, installLogBridge } from '../../../src/otel/log-bridge';

describe('log bridge', () => {
  it('writes one JSON object with level, message, service and fields', () => {
    const line = JSON.parse(formatLogLine('weather-fetcher', 'info', ['weather stored', { zip: '78729', hours: 26 }], new Date(0)));
    expect(line).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', message: 'weather stored', service: 'weather-fetcher', zip: '78729', hours: 26 });
  });

  it("stamps the active span's trace_id and span_id", () => {
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const ctx = trace.setSpanContext(context.active(), spanContext);
    // Without a context manager, read the span through the API the bridge uses.
    const span = trace.getSpan(ctx)!;
    const original = trace.getActiveSpan;
    trace.getActiveSpan = () => span;
    try {
      const line = JSON.parse(formatLogLine('job-dispatcher', 'warn', ['x']));
      expect(line).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId, level: 'warn' });
    } finally {
      trace.getActiveSpan = original;
    }
  });

  it('cannot be forged by input: user text stays inside one JSON string, reserved keys are kept apart', () => {
    const evil = 'zip 12345\n{"level":"error","message":"fake","trace_id":"deadbeef"}';
    const out = formatLogLine('weather-landscape-web', 'info', [evil, { level: 'debug', trace_id: 'forged' }]);
    expect(out.split('\n')).toHaveLength(1);
    const line = JSON.parse(out);
    expect(line.message).toBe(evil);
    expect(line.level).toBe('info');
    expect(line.trace_id).toBeUndefined();
    expect(line['field.trace_id']).toBe('forged');
  });

  it('redacts secrets and serializes errors', () => {
    const line = JSON.parse(formatLogLine('weather-fetcher', 'error', ['failed https://h/?appid=k', new TypeError('boom')]));
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
    installLogBridge('svc', target);
    target.warn('careful', { n: 1 });
    target.log('hello');
    expect(calls.map(([m, s]) => [m, JSON.parse(s).level, JSON.parse(s).message])).toEqual([
      ['warn', 'warn', 'careful'],
      ['log', 'info', 'hello'],
    ]);
  });
});
