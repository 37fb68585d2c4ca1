import pino, { type Logger } from 'pino';
import type { ProjectorConfig } from '../config/config.js';

/** JSON lines for machines; pretty only when a person watches a terminal. */
export function createLogger(config: Pick<ProjectorConfig, 'logLevel'>, service: string): Logger {
  return pino({
    level: config.logLevel,
    base: { service },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
