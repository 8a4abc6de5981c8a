import { describe, expect, it } from 'vitest';
import { readOtelSettings } from '../../../src/otel/config';
import { parseOtlpHeaders } from '../../../src/otel/otlp-headers.mjs';
import type { Env } from '../../../src/env';

const env = (vars: Partial<Env>) => vars as Env;

describe('OpenTelemetry settings from the environment', () => {
  it('defaults to http://localhost:4318/v1/traces, ratio 1, tracing on', () => {
    const s = readOtelSettings(env({}));
    expect(s).toMatchObject({ disabled: false, tracesUrl: 'http://localhost:4318/v1/traces', propagationHosts: [], samplingRatio: 1, headers: {} });
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT (trailing slashes ignored)', () => {
    expect(readOtelSettings(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/otlp/' })).tracesUrl).toBe('https://otel.example.com/otlp/v1/traces');
  });

  it('parses OTEL_EXPORTER_OTLP_HEADERS as k=v,k2=v2 with URL-encoded values', () => {
    expect(parseOtlpHeaders('x-honeycomb-team=abc, Authorization=Basic%20dXNlcjpwYXNz ,bad,=novalue')).toEqual({
      'x-honeycomb-team': 'abc',
      authorization: 'Basic dXNlcjpwYXNz',
    });
  });

  it('reads OTEL_TRACES_SAMPLER_ARG as a ratio clamped to [0, 1], ignoring garbage', () => {
    expect(readOtelSettings(env({ OTEL_TRACES_SAMPLER_ARG: '0.25' })).samplingRatio).toBe(0.25);
    expect(readOtelSettings(env({ OTEL_TRACES_SAMPLER_ARG: '7' })).samplingRatio).toBe(1);
    expect(readOtelSettings(env({ OTEL_TRACES_SAMPLER_ARG: '-1' })).samplingRatio).toBe(0);
    expect(readOtelSettings(env({ OTEL_TRACES_SAMPLER_ARG: 'lots' })).samplingRatio).toBe(1);
  });

  it('records message sizes on send spans only for TRACE_MESSAGE_BODY_SIZE=true (Opt-In)', () => {
    expect(readOtelSettings(env({})).messageBodySize).toBe(false);
    expect(readOtelSettings(env({ TRACE_MESSAGE_BODY_SIZE: ' True ' })).messageBodySize).toBe(true);
    expect(readOtelSettings(env({ TRACE_MESSAGE_BODY_SIZE: '1' })).messageBodySize).toBe(false);
  });

  it('keeps the failures of unsampled work unless TRACE_KEEP_UNSAMPLED_FAILURES=false (case-insensitive)', () => {
    expect(readOtelSettings(env({})).keepUnsampledFailures).toBe(true);
    expect(readOtelSettings(env({ TRACE_KEEP_UNSAMPLED_FAILURES: ' False ' })).keepUnsampledFailures).toBe(false);
    expect(readOtelSettings(env({ TRACE_KEEP_UNSAMPLED_FAILURES: '0' })).keepUnsampledFailures).toBe(true);
  });

  it('switches tracing off only for OTEL_SDK_DISABLED=true (case-insensitive)', () => {
    expect(readOtelSettings(env({ OTEL_SDK_DISABLED: 'TRUE' })).disabled).toBe(true);
    expect(readOtelSettings(env({ OTEL_SDK_DISABLED: '1' })).disabled).toBe(false);
  });
});

describe('trace context propagation allow-list (TRACE_CONTEXT_HOSTS)', () => {
  it('is empty by default and reads comma-separated hosts, lower-cased', () => {
    expect(readOtelSettings(env({})).propagationHosts).toEqual([]);
    expect(readOtelSettings(env({ TRACE_CONTEXT_HOSTS: ' api.example.com, *.Internal.example ,' })).propagationHosts).toEqual([
      'api.example.com',
      '*.internal.example',
    ]);
  });
});
