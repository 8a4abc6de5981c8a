/**
 * Docker cannot run in CI here, so this is the check that docker-compose.jaeger.yml
 * and jaeger/config.yaml fit together: the right image, the published ports, the
 * mounted config, and a config whose pipeline really goes OTLP → Jaeger storage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const composePath = resolve(repoRoot, 'docker-compose.jaeger.yml');

interface ComposeService {
  image?: string;
  command?: string | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
}
type Section = Record<string, Record<string, unknown> | null>;
interface CollectorConfig {
  service: { extensions?: string[]; pipelines: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> };
  extensions: Section;
  receivers: Section;
  processors?: Section;
  exporters: Section;
}

const compose = parse(readFileSync(composePath, 'utf8')) as { services: Record<string, ComposeService> };
const jaeger = compose.services.jaeger;

/** Container port → host port, from short ("[ip:]host:container[/proto]") or long syntax. */
function publishedPorts(service: ComposeService): Map<number, number> {
  const ports = new Map<number, number>();
  for (const entry of service.ports ?? []) {
    if (typeof entry === 'object') {
      if (entry.published !== undefined) ports.set(Number(entry.target), Number(entry.published));
      continue;
    }
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length >= 2) ports.set(Number(parts[parts.length - 1]), Number(parts[parts.length - 2]));
  }
  return ports;
}

/** Bind mounts as { source (absolute), target }. */
function bindMounts(service: ComposeService): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).flatMap((volume) => {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    return source && target && /^[./]/.test(source) ? [{ source: resolve(repoRoot, source), target }] : [];
  });
}

function configFlag(command: ComposeService['command']): string | undefined {
  const args = typeof command === 'string' ? command.split(/\s+/) : (command ?? []);
  const index = args.findIndex((arg) => arg === '--config' || arg.startsWith('--config='));
  if (index < 0) return undefined;
  return args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
}

function loadMountedConfig(): CollectorConfig {
  const target = configFlag(jaeger.command);
  const mount = bindMounts(jaeger).find((m) => m.target === target);
  if (!mount) throw new Error(`no bind mount for --config ${target}`);
  return parse(readFileSync(mount.source, 'utf8')) as CollectorConfig;
}

const portOf = (endpoint: unknown) => Number(/:(\d+)$/.exec(String(endpoint))?.[1]);

describe('docker-compose.jaeger.yml', () => {
  it('runs a pinned Jaeger v2 image, not the end-of-life v1 all-in-one', () => {
    expect(jaeger, 'a service named jaeger').toBeDefined();
    expect(jaeger.image).toMatch(/^(?:[\w.-]+\/)?jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(jaeger.image).not.toMatch(/all-in-one/);
  });

  it('publishes OTLP/HTTP 4318, OTLP/gRPC 4317 and the UI 16686 on the same host ports', () => {
    const ports = publishedPorts(jaeger);
    expect(ports.get(4318)).toBe(4318);
    expect(ports.get(4317)).toBe(4317);
    expect(ports.get(16686)).toBe(16686);
  });

  it('mounts jaeger/config.yaml and passes it with --config', () => {
    const target = configFlag(jaeger.command);
    expect(target).toBeDefined();
    const mount = bindMounts(jaeger).find((m) => m.target === target);
    expect(mount?.source).toBe(resolve(repoRoot, 'jaeger/config.yaml'));
    expect(existsSync(mount!.source)).toBe(true);
  });
});

describe('jaeger/config.yaml', () => {
  const config = loadMountedConfig();
  const traces = config.service.pipelines.traces;

  it('receives OTLP over HTTP on 0.0.0.0:4318 (and gRPC on 4317)', () => {
    const protocols = config.receivers.otlp?.protocols as Record<string, { endpoint?: string }>;
    expect(protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(portOf(protocols.grpc.endpoint)).toBe(4317);
  });

  it('serves the query UI on 16686 from the same storage the exporter writes to', () => {
    const query = config.extensions.jaeger_query as { http?: { endpoint?: string }; storage?: { traces?: string } };
    expect(portOf(query.http?.endpoint)).toBe(16686);

    const backends = (config.extensions.jaeger_storage as { backends: Record<string, Record<string, unknown>> }).backends;
    const written = (config.exporters.jaeger_storage_exporter as { trace_storage?: string }).trace_storage;
    expect(written).toBe(query.storage?.traces);
    expect(Object.keys(backends[written!] ?? {})).toEqual(['memory']);
    expect(config.service.extensions).toEqual(expect.arrayContaining(['jaeger_storage', 'jaeger_query']));
  });

  it('pipes traces otlp → batch → jaeger_storage_exporter', () => {
    expect(traces.receivers).toEqual(['otlp']);
    expect(traces.processors).toEqual(['batch']);
    expect(traces.exporters).toEqual(['jaeger_storage_exporter']);
  });

  it('defines every component and extension the service references', () => {
    const undefinedRefs: string[] = [];
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? []) {
          if (!(id in (config[kind] ?? {}))) undefinedRefs.push(`${name}.${kind}: ${id}`);
        }
      }
    }
    for (const id of config.service.extensions ?? []) {
      if (!(id in config.extensions)) undefinedRefs.push(`extensions: ${id}`);
    }
    expect(undefinedRefs).toEqual([]);
  });
});
