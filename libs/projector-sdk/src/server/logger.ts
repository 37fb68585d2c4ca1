import pino, { type Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';

/**
 * JSON lines for machines; pretty only when a person watches a terminal. The JSON lines are written
 * synchronously: pino's default asynchronous stream writes from libuv's thread pool, and the flush at
 * `process.exit` could then put `stopped` before an earlier line still in flight (seen under load).
 */
export function createLogger(config: Pick<ProjectorConfig, 'logLevel'>, service: string): Logger {
  const options = { level: config.logLevel, base: { service } };
  if (process.stdout.isTTY) return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
