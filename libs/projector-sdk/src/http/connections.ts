import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ProjectorConfig } from '../config/config.js';

/** Most connections by default, whatever the descriptor limit: idle sockets still cost memory. */
const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Descriptors kept for everything but HTTP: log output, /proc reads of the metrics, DNS, the embedded PostgreSQL. */
const RESERVED_DESCRIPTORS = 64;
/** Headers must arrive within this, or the request timeout if shorter. */
const HEADERS_TIMEOUT_MS = 10_000;
/** A socket with no bytes either way for this long is closed, answer pending or not. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/** The process's soft limit of open descriptors (`ulimit -n`), read from /proc on Linux; 1024 elsewhere. */
export function descriptorLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s+/)[3];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const limit = Number(soft);
    return Number.isInteger(limit) && limit > 0 ? limit : 1024;
  } catch {
    return 1024;
  }
}

/** The connection limit: the configured one, else what the descriptors leave beside the pool and a reserve. */
export function connectionLimit(config: ProjectorConfig, descriptors = descriptorLimit()): number {
  if (config.maxConnections !== undefined) return config.maxConnections;
  return Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, descriptors - config.dbPoolMax - RESERVED_DESCRIPTORS));
}

/** Fastify's options for the timeouts of contract.md, "Limits": nothing a client sends is waited for without end. */
export function timeoutOptions(config: ProjectorConfig) {
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, config.requestTimeoutMs);
  return {
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: SOCKET_IDLE_TIMEOUT_MS,
    // Node checks the header and request timeouts at this interval (30 s by default, too coarse for them).
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) },
  };
}

/**
 * Bounds the open connections below the descriptor limit (beyond it Node closes new ones at once),
 * keeps a failed `accept` (EMFILE) from becoming an uncaught error, and on close drops every
 * connection that is not carrying a request whose body has fully arrived: a stalled or idle
 * client cannot hold the shutdown up, and nothing it sent reached the apply path.
 */
export function limitConnections(app: FastifyInstance, maxConnections: number, onDropped: () => void): void {
  const { server } = app;
  server.maxConnections = maxConnections;
  server.on('drop', onDropped);
  server.once('listening', () =>
    server.on('error', (err) => app.log.warn({ err }, 'accepting a connection failed')),
  );
  const sockets = new Set<Socket>();
  const requests = new Map<Socket, IncomingMessage>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      requests.delete(socket);
    });
  });
  app.addHook('onRequest', async (request) => void requests.set(request.raw.socket, request.raw));
  app.addHook('onResponse', async (request) => void requests.delete(request.raw.socket));
  app.addHook('preClose', async () => {
    for (const socket of sockets) if (!requests.get(socket)?.complete) socket.destroy();
  });
}
