import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const tracing = (env: Record<string, string>) => parseConfig(env).tracing;

describe('parseConfig: tracing from the OTEL_* variables', () => {
  it('is off unless an exporter is configured', () => {
    expect(tracing({})).toBeUndefined();
    expect(tracing({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
  });

  it('is on with an OTLP endpoint, which gets the traces path; the traces endpoint is used as given', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' });
    expect(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c.example/otlp/spans' })?.url).toBe('https://c.example/otlp/spans');
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/t' })?.url).toBe('http://b:4318/t');
  });

  it('is on with OTEL_TRACES_EXPORTER=otlp alone, to the spec default endpoint', () => {
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp' })?.url).toBe('http://localhost:4318/v1/traces');
  });

  it('is off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever else is set', () => {
    expect(tracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeUndefined();
    expect(tracing({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
    expect(tracing({ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' })).toBeDefined();
  });

  it('takes the traces-specific variables over the generic ones, and the spec defaults otherwise', () => {
    const config = tracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x=1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x=2',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2500',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=ops',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config).toMatchObject({
      protocol: 'http/json',
      headers: { 'api-key': 'a b', x: '2' },
      timeoutMs: 2500,
      compression: 'none',
      resourceAttributes: { 'deployment.environment': 'prod', team: 'ops' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      batch: { scheduleDelayMs: 5000, exportTimeoutMs: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
    });
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ timeoutMs: 10_000, sampler: 'parentbased_always_on', samplerRatio: 1, headers: {} });
  });

  it('refuses what it cannot do, one line per variable, headers hidden', () => {
    let error: unknown;
    try {
      parseConfig({
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'secret-without-equals',
        OTEL_TRACES_SAMPLER_ARG: '2',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).lines;
    expect(lines).toHaveLength(5);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OTEL_TRACES_EXPORTER="jaeger": must be otlp or none/),
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL="grpc": .*grpc is not supported/),
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318": must be an http/),
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_HEADERS=<hidden>: /),
        expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG="2": /),
      ]),
    );
  });
});
