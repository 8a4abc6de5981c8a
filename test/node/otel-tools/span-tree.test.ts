import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { ATTR_MESSAGING_DESTINATION_NAME, ATTR_MESSAGING_SYSTEM } from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { buildSpanForest, expectSpanTree, formatSpanTree, normalizeTraces, toTreeInput, type ReceivedSpan, type SpanMatcher } from '../../../src/otel/testing';
import { makeSampleTrace, QUEUE } from './sample-trace';

/** The sample trace as the pipeline should produce it. */
const pipeline = (consumers: number, extra: Partial<SpanMatcher> = {}): SpanMatcher => ({
  name: 'GET /forecast',
  kind: 'SERVER',
  service: 'web',
  attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_HTTP_ROUTE]: '/forecast' },
  children: [
    {
      name: `send ${QUEUE}`,
      kind: 'PRODUCER',
      attributes: { [ATTR_MESSAGING_DESTINATION_NAME]: QUEUE },
      children: [
        {
          name: `process ${QUEUE}`,
          kind: 'CONSUMER',
          service: 'generator',
          count: consumers,
          children: [{ name: /^render /, kind: 'INTERNAL' }],
        },
      ],
    },
  ],
  ...extra,
});

function failureOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected expectSpanTree to throw');
}

/** The same sample as OTLP spans: times as JSON-ish strings, like spans fetched over a control endpoint. */
function asReceivedSpans(consumers = 2): ReceivedSpan[] {
  const { spans } = makeSampleTrace(consumers);
  return spans.map((span) => {
    const tree = toTreeInput([span])[0];
    return {
      ...tree,
      startTimeUnixNano: tree.startTimeUnixNano.toString(),
      endTimeUnixNano: tree.endTimeUnixNano.toString(),
      durationMs: 0,
      events: [],
      links: [],
      resource: { 'service.name': tree.serviceName },
      scope: 'x',
    } as unknown as ReceivedSpan;
  });
}

describe('toTreeInput', () => {
  it('reads SDK 2.x ReadableSpans: parentSpanContext, SpanKind numbers, resource service.name', () => {
    const { spans, traceId, producerSpanId } = makeSampleTrace(1);
    const consumer = toTreeInput(spans).find((span) => span.name === `process ${QUEUE}`);
    expect(consumer).toMatchObject({ traceId, parentSpanId: producerSpanId, kind: 'CONSUMER', serviceName: 'generator' });
    expect(consumer!.endTimeUnixNano - consumer!.startTimeUnixNano).toBe(100_000_000n);
  });

  it('builds one root per trace and nests children by parent id', () => {
    const forest = buildSpanForest([...makeSampleTrace(1).spans, ...makeSampleTrace(2).spans]);
    expect(forest.map((root) => [root.span.name, root.children[0].children.length])).toEqual([
      ['GET /forecast', 1],
      ['GET /forecast', 2],
    ]);
  });
});

describe('expectSpanTree passes', () => {
  it('on a matching tree of SDK spans, returning the root node', () => {
    const root = expectSpanTree(makeSampleTrace(2).spans, pipeline(2));
    expect(root.span.name).toBe('GET /forecast');
  });

  it('on a matching tree of received (OTLP) spans', () => {
    expect(() => expectSpanTree(asReceivedSpans(3), pipeline(3))).not.toThrow();
  });

  it('with RegExp, predicate and absent-attribute expectations, ignoring extra children', () => {
    expect(() =>
      expectSpanTree(makeSampleTrace(2).spans, {
        name: /^GET /,
        attributes: { [ATTR_HTTP_ROUTE]: /^\/fore/, 'http.response.status_code': undefined },
        children: [
          {
            name: `send ${QUEUE}`,
            attributes: { [ATTR_MESSAGING_SYSTEM]: (value: unknown) => value === 'cloudflare_queues' },
          },
        ],
      }),
    ).not.toThrow();
  });

  it("anywhere in the forest with { root: 'any' }, not otherwise", () => {
    const consumer: SpanMatcher = { name: `process ${QUEUE}`, children: [{ name: 'render landscape' }] };
    expect(() => expectSpanTree(makeSampleTrace(1).spans, consumer, { root: 'any' })).not.toThrow();
    expect(failureOf(() => expectSpanTree(makeSampleTrace(1).spans, consumer))).toContain(
      "✗ no root span named 'process landscape-jobs' (root spans: 'GET /forecast')",
    );
  });
});

describe('expectSpanTree fails readably', () => {
  it('on a missing child, with both trees and the mismatch marked', () => {
    const message = failureOf(() => expectSpanTree(makeSampleTrace(2).spans, pipeline(3)));

    expect(message).toContain("✗ missing child 'process landscape-jobs' ×3 under 'send landscape-jobs' (found 2)");
    const [, expected, actual] = message.split(/\n\n?(?:expected:|actual[^:]*:)\n/);
    expect(expected.split('\n')).toEqual([
      `  'GET /forecast' [SERVER] web {http.request.method="GET", http.route="/forecast"}`,
      `    'send landscape-jobs' [PRODUCER] {messaging.destination.name="landscape-jobs"}`,
      `✗     'process landscape-jobs' [CONSUMER] generator ×3`,
      `        /^render / [INTERNAL]`,
    ]);
    expect(actual).toMatch(/^ {2}'GET \/forecast' \[SERVER\] web \{http.request.method="GET", http.route="\/forecast", weather_landscape.zip="78729"\}\n/);
    expect(actual).toMatch(/\n✗ {3}'send landscape-jobs' \[PRODUCER\] web \{messaging.system="cloudflare_queues"/);
    expect(actual).toMatch(/\n {8}'render landscape' \[INTERNAL\] generator !ERROR\n/);
    expect(message).toMatch(/actual \(trace [0-9a-f]{32}\):/);
  });

  it('on a missing leaf child', () => {
    const expected = pipeline(2);
    expected.children![0].children![0].children!.push({ name: 'upload png' });
    expect(failureOf(() => expectSpanTree(makeSampleTrace(2).spans, expected))).toMatch(
      /^expectSpanTree: ✗ missing child 'process landscape-jobs' ×2 under 'send landscape-jobs' \(found 0\); nearest: missing child 'upload png' under 'process landscape-jobs' \(found 0\)\n/,
    );
  });

  it('on a wrong kind, pointing at the span', () => {
    const expected = pipeline(2);
    expected.children![0].kind = 'CLIENT';
    const message = failureOf(() => expectSpanTree(makeSampleTrace(2).spans, expected));

    expect(message).toMatch(/^expectSpanTree: ✗ 'send landscape-jobs' has kind PRODUCER, expected CLIENT\n/);
    expect(message).toContain(`✗   'send landscape-jobs' [CLIENT] {`);
    expect(message).toContain(`✗   'send landscape-jobs' [PRODUCER] web {`);
  });

  it('on a wrong attribute value, and on a missing attribute', () => {
    const wrongRoute = pipeline(2, { attributes: { [ATTR_HTTP_ROUTE]: '/forecasts' } });
    expect(failureOf(() => expectSpanTree(makeSampleTrace(2).spans, wrongRoute))).toContain(
      `✗ 'GET /forecast' attribute http.route: expected "/forecasts", got "/forecast"`,
    );

    const missing = pipeline(2);
    missing.children![0].children![0].attributes = { 'app.attempt': (n: unknown) => typeof n === 'number', 'app.tenant': /./ };
    expect(failureOf(() => expectSpanTree(makeSampleTrace(2).spans, missing))).toContain(
      "✗ missing child 'process landscape-jobs' ×2 under 'send landscape-jobs' (found 0); nearest: 'process landscape-jobs' attribute app.tenant: expected matching /./, it is missing",
    );
  });

  it('on a wrong service', () => {
    const expected = pipeline(2);
    expected.children![0].service = 'dispatcher';
    expect(failureOf(() => expectSpanTree(makeSampleTrace(2).spans, expected))).toContain(
      "✗ 'send landscape-jobs' is from service 'web', expected 'dispatcher'",
    );
  });

  it('on too many siblings for count', () => {
    expect(failureOf(() => expectSpanTree(makeSampleTrace(3).spans, pipeline(2)))).toContain(
      "✗ too many children 'process landscape-jobs' under 'send landscape-jobs': expected ×2, found 3",
    );
  });

  it('when two expected children would need the same span', () => {
    const spans = makeSampleTrace(1).spans;
    const expected: SpanMatcher = {
      name: `process ${QUEUE}`,
      children: [{ name: 'render landscape' }, { name: /render/ }],
    };
    expect(failureOf(() => expectSpanTree(spans, expected, { root: 'any' }))).toContain(
      "✗ children of 'process landscape-jobs' cannot be told apart: 2 expected children need distinct spans, only 1 could be assigned",
    );
  });

  it('on an extra child only with { exact: true }', () => {
    const withoutRender: SpanMatcher = { name: 'GET /forecast', children: [{ name: `send ${QUEUE}`, children: [{ name: /process/, count: 2 }] }] };
    expect(() => expectSpanTree(makeSampleTrace(2).spans, withoutRender)).not.toThrow();
    expect(failureOf(() => expectSpanTree(makeSampleTrace(2).spans, withoutRender, { exact: true }))).toContain(
      "✗ missing child /process/ ×2 under 'send landscape-jobs' (found 0); nearest: unexpected child 'render landscape' [INTERNAL] under 'process landscape-jobs' (exact)",
    );
  });

  it('on an empty span list', () => {
    expect(failureOf(() => expectSpanTree([], pipeline(1)))).toContain("✗ no spans to match 'GET /forecast' against");
  });
});

describe('formatSpanTree', () => {
  it('prints a waterfall: names in depth order, indented, with offsets, durations and bars, each branch labelled where it starts', () => {
    const { spans, traceId } = makeSampleTrace(2);
    const branchAttributes = [
      ['weather_landscape.zip', 'zip'],
      ['weather_landscape.format', 'format'],
    ] as const;
    const lines = formatSpanTree(spans, { barWidth: 10, branchAttributes }).split('\n');

    expect(lines[0]).toBe(`trace ${traceId}  400.0ms  6 spans  web, generator`);
    expect(lines.slice(1).map((line) => line.replace(/\s*\|.*$/, ''))).toEqual([
      '   +0.00ms  20.0ms  GET /forecast [SERVER] web (zip=78729)',
      '    +5.0ms  10.0ms    send landscape-jobs [PRODUCER] web',
      '  +100.0ms 100.0ms      process landscape-jobs [CONSUMER] generator (format=bw)',
      '  +110.0ms  80.0ms        render landscape [INTERNAL] generator !ERROR font missing',
      '  +300.0ms 100.0ms      process landscape-jobs [CONSUMER] generator (format=eink)',
      '  +310.0ms  80.0ms        render landscape [INTERNAL] generator',
    ]);
    expect(lines.slice(1).map((line) => line.slice(line.indexOf('|')))).toEqual([
      '|█         |',
      '|█         |',
      '|  ███     |',
      '|  ███     |',
      '|       ███|',
      '|       ███|',
    ]);
  });

  it('prints one block per trace, from OTLP spans as well', () => {
    const output = formatSpanTree(
      normalizeTraces({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fetcher' } }] },
            scopeSpans: [
              {
                spans: [
                  { traceId: 'a'.repeat(32), spanId: '1'.repeat(16), name: 'first', kind: 2, startTimeUnixNano: '0', endTimeUnixNano: '1000000' },
                  { traceId: 'b'.repeat(32), spanId: '2'.repeat(16), name: 'second', kind: 3, startTimeUnixNano: '0', endTimeUnixNano: '0' },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(output.split('\n\n')).toHaveLength(2);
    expect(output).toContain('first [SERVER] fetcher');
    expect(output).toContain('second [CLIENT] fetcher');
  });
});
