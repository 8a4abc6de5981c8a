import { describe, expect, it } from 'vitest';
import { ledgerFromSpans, queueUnits, type LedgerSpan } from '../../support/ledger';

let nextId = 0;
/** The attributes src/otel/kv.ts and r2.ts put on a binding span: the ledger counts by them, not by name. */
const kv = (operation: string) => ({ 'db.system.name': 'cloudflare_kv', 'db.namespace': 'CONFIG', 'db.operation.name': operation });
const r2 = (operation: string) => ({ 'db.system.name': 'cloudflare_r2', 'db.namespace': 'WEATHER_IMAGES', 'db.operation.name': operation });
function span(name: string, kind: LedgerSpan['kind'], extra: Partial<LedgerSpan> = {}): LedgerSpan {
  return { traceId: 't1', spanId: `s${nextId++}`, name, kind, serviceName: 'svc', attributes: {}, ...extra };
}

describe('ledgerFromSpans', () => {
  it('bills each queued message per started 64 KB (1 KB = 1,000 bytes, +100 bytes metadata), three times', () => {
    expect([queueUnits(100), queueUnits(63_900), queueUnits(63_901), queueUnits(130_000)]).toEqual([1, 1, 2, 3]);
    const server = span('POST /admin/generate', 'SERVER');
    const send = span('send landscape-jobs', 'PRODUCER', {
      parentSpanId: server.spanId,
      attributes: { 'messaging.batch.message_count': 3, 'messaging.cloudflare_queues.batch.body_sizes': [100, 64_000, 130_000] },
    });
    const ledger = ledgerFromSpans([server, send]);
    expect(ledger.queueMessages).toBe(3);
    expect(ledger.queueOps).toBe(3 * (1 + 2 + 3));
  });

  it('counts one queue read per redelivery, one request per queue invocation, and its subrequests', () => {
    const attrs = (attempts: number) => ({ 'faas.invocation_id': 'inv1', 'messaging.cloudflare_queues.message.attempts': attempts });
    const first = span('process fetch-jobs', 'CONSUMER', { attributes: attrs(1) });
    const retried = span('process fetch-jobs', 'CONSUMER', { traceId: 't2', attributes: attrs(3) });
    const get = span('get geo:{zip}', 'CLIENT', { parentSpanId: first.spanId, attributes: kv('get') });
    const fetchSpan = span('GET /v1/forecast', 'CLIENT', { traceId: 't2', parentSpanId: retried.spanId, attributes: { 'http.request.method': 'GET' } });
    const ledger = ledgerFromSpans([first, retried, get, fetchSpan], { extraSubrequestsPerInvocation: 1 });
    expect(ledger).toMatchObject({ workerRequests: 1, queueOps: 1, kvReads: 1, httpFetches: 1, subrequestsMax: 3 });
  });

  it('puts a scheduled run in the cron invocation its link names', () => {
    const cron = span('cron */15 * * * *', 'INTERNAL', { traceId: 'cron' });
    const list = span('list zip:', 'CLIENT', { traceId: 'cron', parentSpanId: cron.spanId, attributes: kv('list') });
    const run = span('scheduled run', 'INTERNAL', {
      traceId: 'run',
      links: [{ traceId: 'cron', spanId: cron.spanId, attributes: { 'weather_landscape.link': 'cron_invocation' } }],
    });
    const send = span('send fetch-jobs', 'PRODUCER', { traceId: 'run', parentSpanId: run.spanId, attributes: { 'messaging.message.body.size': 200 } });
    const ledger = ledgerFromSpans([cron, list, run, send]);
    expect(ledger).toMatchObject({ workerRequests: 1, kvLists: 1, queueMessages: 1, queueOps: 3, subrequestsMax: 2 });
    expect(ledger.invocations).toEqual([{ service: 'svc', kind: 'cron', name: 'cron */15 * * * *', subrequests: 2, external: 0 }]);
  });

  it("counts a cron batch by its CLIENT send span in the cron trace, not by the runs' create spans", () => {
    const cron = span('cron */15 * * * *', 'INTERNAL', { traceId: 'cron' });
    const runs = ['a', 'b'].map((id) =>
      span('scheduled run', 'INTERNAL', {
        traceId: id,
        links: [{ traceId: 'cron', spanId: cron.spanId, attributes: { 'weather_landscape.link': 'cron_invocation' } }],
      }),
    );
    const creates = runs.map((run) =>
      span('create fetch-jobs', 'PRODUCER', { traceId: run.traceId, parentSpanId: run.spanId, attributes: { 'messaging.message.body.size': 200 } }),
    );
    const send = span('send fetch-jobs', 'CLIENT', {
      traceId: 'cron',
      parentSpanId: cron.spanId,
      attributes: { 'messaging.batch.message_count': 2, 'messaging.cloudflare_queues.batch.body_sizes': [200, 200] },
    });
    const ledger = ledgerFromSpans([cron, ...runs, ...creates, send]);
    expect(ledger).toMatchObject({ workerRequests: 1, queueMessages: 2, queueOps: 6, subrequestsMax: 1 });
  });

  it('refuses to guess: an operation without a price class, a span outside any invocation, a send without sizes', () => {
    const server = span('GET /', 'SERVER');
    expect(() =>
      ledgerFromSpans([server, span('createMultipartUpload {zip}/bw.bmp', 'CLIENT', { parentSpanId: server.spanId, attributes: r2('createMultipartUpload') })]),
    ).toThrow(/no price class/);
    expect(() => ledgerFromSpans([span('get zip:{zip}', 'CLIENT', { parentSpanId: 'gone', attributes: kv('get') })])).toThrow(/belongs to no invocation/);
    expect(() => ledgerFromSpans([server, span('send fetch-jobs', 'PRODUCER', { parentSpanId: server.spanId })])).toThrow(/messaging.message.body.size/);
  });
});
