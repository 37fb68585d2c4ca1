import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { nxBuild, startApp, useTestDatabase, type RunningApp, type StartAppOptions } from '@projectors/projector-sdk/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// The built app against what a hostile or unlucky client does to a process (contract.md, "Limits").
const appDir = path.resolve(import.meta.dirname, '..');
const mainJs = path.join(appDir, 'dist/main.js');
const db = useTestDatabase({ prefix: 'rel_limits_e2e' });
const started: ChildProcess[] = [];

beforeAll(() => nxBuild(path.resolve(appDir, '../..'), 'projector-rel'));
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function serve(env: Record<string, string> = {}, options: StartAppOptions = {}): Promise<{ app: RunningApp; port: number }> {
  const app = startApp(mainJs, { PROJECTOR_DATABASE_URL: db.url, PROJECTOR_PORT: '0', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_LOG_LEVEL: 'info', ...env }, started, options);
  const address = String((await app.waitForLog((l) => l.msg === 'projector listening')).address);
  return { app, port: Number(new URL(address).port) };
}

interface RawConnection {
  readonly socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the milliseconds from opening until the server closed the connection. */
  readonly closed: Promise<number>;
}

/** Opens a TCP connection and sends `text` as is (headers, maybe part of a body), then waits. */
function rawConnection(port: number, text: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      if (text) socket.write(text);
      resolve({ socket, received: () => received, closed });
    });
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - opened)));
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** A POST whose headers promise `length` bytes of body of which only `sent` come (a batch body may be 16 MiB). */
const stalledPost = (length: number, sent = '{"events":[') =>
  `POST /events${length > 1_000_000 ? '/batch' : ''} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${sent}`;

const health = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health`)).status;

describe('projector-rel as a process, against hostile connections', () => {
  it('a stalled body, or a Content-Length larger than the body, is cut by the request timeout', async () => {
    const { port } = await serve({ PROJECTOR_REQUEST_TIMEOUT_S: '1' });
    const stalled = await rawConnection(port, stalledPost(15_000_000));
    const short = await rawConnection(port, stalledPost(1000, '{"global_seq":1}'));
    const silent = await rawConnection(port, '');
    for (const connection of [stalled, short, silent]) expect(await connection.closed).toBeLessThan(3_500);
    expect(stalled.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(short.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await health(port)).toBe(200);
  });

  it('401 closes the socket of a request whose body was never sent', async () => {
    const { port } = await serve({ PROJECTOR_AUTH_TOKEN: 'secret' });
    const connection = await rawConnection(port, stalledPost(15_000_000, ''));
    expect(await connection.closed).toBeLessThan(2_000);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 401/);
    expect(connection.received().toLowerCase()).toContain('connection: close');
  });

  it('more connections than descriptors: the process stays up, refuses the surplus, and serves once they go', async () => {
    // ulimit -n 256: the limit is 256 - 10 (pool) - 64 (reserve) = 182 connections.
    const { app, port } = await serve({ PROJECTOR_REQUEST_TIMEOUT_S: '20' }, { descriptorLimit: 256 });
    // Headers never finished: no request exists yet, so only the connection limit holds them back.
    const connections = await Promise.all(Array.from({ length: 400 }, () => rawConnection(port, 'POST /events HTTP/1.1\r\nHost: x\r\n').catch(() => undefined)));
    // Long enough for a once-a-second sampler (the old back-pressure plugin) to run into EMFILE.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(app.child.exitCode).toBeNull();
    const open = connections.filter((c) => c && !c.socket.destroyed && c.socket.readyState === 'open');
    expect(open.length).toBeLessThanOrEqual(182);
    for (const c of connections) c?.socket.destroy();
    await expect.poll(() => health(port).catch(() => 0), { timeout: 5_000 }).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const dropped = /^projector_http_connections_dropped_total\{[^}]*\} (\d+)$/m.exec(metrics);
    expect(Number(dropped?.[1])).toBeGreaterThan(0);
    expect(app.stderr()).toBe('');
  });

  it('bodies being received are bounded in bytes: a stalled batch more than the budget gets 503 at once', async () => {
    // A batch may be 16 x 100000 = 1.6 MB; the budget is four of them.
    const { port } = await serve({ PROJECTOR_BODY_LIMIT_BYTES: '100000' });
    const holding = await Promise.all(Array.from({ length: 4 }, () => rawConnection(port, stalledPost(1_600_000))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await rawConnection(port, stalledPost(1_600_000));
    expect(await refused.closed).toBeLessThan(2_000);
    expect(refused.received()).toMatch(/^HTTP\/1\.1 503/);
    expect(refused.received()).toMatch(/retry-after: 1/i);
    for (const c of holding) expect(c.socket.readyState).toBe('open');
    for (const c of holding) c.socket.destroy();
    await Promise.all(holding.map((c) => c.closed));
    const res = await fetch(`http://127.0.0.1:${port}/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [] }) });
    expect(res.status).not.toBe(503);
  });

  it('SIGTERM with a stalled body connection still exits 0 promptly', async () => {
    const { app, port } = await serve();
    const stalled = await rawConnection(port, stalledPost(15_000_000));
    const idle = await rawConnection(port, '');
    expect(await health(port)).toBe(200);
    const signalled = Date.now();
    app.child.kill('SIGTERM');
    expect(await app.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(await stalled.closed).toBeGreaterThan(0);
    expect(await idle.closed).toBeGreaterThan(0);
  });
});
