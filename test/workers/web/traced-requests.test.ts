import { beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../memory-spans';
import { bearer, send } from './web-client';

/**
 * What the web worker traces (src/web/traced-requests.ts): runs, writes, images and public pages;
 * not the readiness probe, the static files, nor the admin's own reads. And a request's server span
 * says only what is true of it: `request.cf` values only when the request came through the edge.
 */
const names = () => memoryExporter.getFinishedSpans().map((s) => s.name);

beforeEach(() => memoryExporter.reset());

describe('which requests are traced', () => {
  it('answers GET /healthz with 200 ok, untraced', async () => {
    const res = await send('/healthz');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(names()).toEqual([]);
  });

  it.each(['/assets/site.css', '/favicon.png', '/robots.txt', '/sprites/sun.png'])('does not trace the static file %s', async (path) => {
    await send(path);
    expect(names()).toEqual([]);
  });

  it.each(['/admin', '/admin/status', '/admin/runs/0123456789abcdef0123456789abcdef', '/admin/dead-letters'])(
    'does not trace the admin read GET %s',
    async (path) => {
      await send(path, { headers: bearer() });
      expect(names()).toEqual([]);
    },
  );

  it('traces admin writes, images and public pages, named by their route template', async () => {
    expect((await send('/admin/activate?zip=78729', { method: 'POST', headers: bearer() })).status).toBe(200);
    await send('/78729/rgb_light.png');
    await send('/guide');
    expect(names()).toEqual(expect.arrayContaining(['POST /admin/activate', 'GET /:zip/:file', 'GET /guide']));
  });
});

describe("a request's server span", () => {
  const cf = {
    colo: 'AMS',
    country: 'NL',
    asn: 13335,
    tlsVersion: 'TLSv1.3',
    tlsCipher: 'AEAD-AES128-GCM-SHA256',
    httpProtocol: 'HTTP/2',
    clientTcpRtt: 12,
    requestPriority: 'weight=16',
  };
  const serverAttributes = () => memoryExporter.getFinishedSpans().find((s) => s.name === 'GET /guide')!.attributes;

  it('keeps the edge facts under the conventions’ names when the request came through the edge (it has a ray id)', async () => {
    await send('/guide', { headers: { 'cf-ray': '8f1e2d3c4b5a6978-AMS' }, cf });
    const attributes = serverAttributes();
    expect(attributes).toMatchObject({
      'faas.invocation_id': '8f1e2d3c4b5a6978-AMS',
      'cloud.region': 'AMS',
      'network.protocol.version': '2',
      'tls.protocol.name': 'tls',
      'tls.protocol.version': '1.3',
    });
    expect(Object.keys(attributes).filter((key) => key.startsWith('net.') || key === 'http.accepts' || key === 'http.mime_type')).toEqual([]);
  });

  it('drops them all on a request that did not (the local runtime makes its cf object up)', async () => {
    await send('/guide', { cf });
    const attributes = serverAttributes();
    expect(Object.keys(attributes).filter((key) => /^(net|tls|cloud)\./.test(key) || key === 'network.protocol.version')).toEqual([]);
    expect(attributes['http.response.header.content-type']).toEqual(['text/html; charset=UTF-8']);
  });
});
