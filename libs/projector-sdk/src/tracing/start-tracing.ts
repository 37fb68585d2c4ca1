import type { Logger } from 'pino';
import type { TracingConfig } from '../config/tracing-config.js';

export interface Tracing {
  /** Exports the spans still queued and stops tracing in this process. */
  shutdown(): Promise<void>;
}

export interface TracingOwner {
  /** `service.name`, unless `OTEL_SERVICE_NAME` says otherwise. */
  readonly serviceName: string;
  readonly projectorName: string;
  readonly log: Logger;
}

/**
 * Starts tracing when the configuration has it on; with it off, resolves undefined and loads
 * nothing: the OTel SDK and its exporters are imported here, and only here, on demand.
 */
export async function startTracing(config: TracingConfig | undefined, owner: TracingOwner): Promise<Tracing | undefined> {
  if (!config) return undefined;
  const { startOtel } = await import('./otel-sdk.js');
  return startOtel(config, owner);
}
