import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config/tracing-config.js';
import { tracingOn, useTracer } from './span.js';
import type { Tracing, TracingOwner } from './start-tracing.js';

type ExporterOptions = NonNullable<ConstructorParameters<typeof JsonExporter>[0]>;

/** The OTel SDK, wired from the parsed configuration only (every option explicit). Loaded on demand. */
export function startOtel(config: TracingConfig, { serviceName, projectorName, log }: TracingOwner): Tracing {
  // Spans are process-wide (one context manager, one global provider): a second owner would steal them.
  if (tracingOn()) throw new Error('tracing is already started in this process');
  diag.setLogger(
    {
      error: (message, ...args) => log.warn({ otel: args.map(String) }, `tracing: ${message}`),
      warn: (message, ...args) => log.warn({ otel: args.map(String) }, `tracing: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const Exporter = config.protocol === 'http/json' ? JsonExporter : ProtobufExporter;
  const exporter = new Exporter({ url: config.url, headers: { ...config.headers }, timeoutMillis: config.timeoutMs, compression: config.compression as ExporterOptions['compression'] });
  const { scheduleDelayMs, exportTimeoutMs, maxQueueSize, maxExportBatchSize } = config.batch;
  const provider = new BasicTracerProvider({
    // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (the spec's order).
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      ...config.resourceAttributes,
      ...(config.serviceName && { [ATTR_SERVICE_NAME]: config.serviceName }),
      'projector.name': projectorName,
    }),
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: scheduleDelayMs, exportTimeoutMillis: exportTimeoutMs, maxQueueSize, maxExportBatchSize })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  // Global too: spans a lens's handler makes through @opentelemetry/api join the same traces.
  trace.setGlobalTracerProvider(provider);
  useTracer(provider.getTracer('@projectors/projector-sdk'));
  log.info({ url: config.url, protocol: config.protocol, sampler: config.sampler }, 'tracing on');
  let stopping: Promise<void> | undefined;
  return {
    shutdown: () =>
      (stopping ??= (async () => {
        useTracer(undefined);
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
          diag.disable();
        }
      })()),
  };
}

function samplerOf({ sampler, samplerRatio }: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(samplerRatio);
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
