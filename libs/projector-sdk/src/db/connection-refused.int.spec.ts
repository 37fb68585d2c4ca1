import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projector } from '../server/create-projector.js';
import { makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';

const db = useTestDatabase({ prefix: 'sdk_conn_refused' });
// CONNECTION LIMIT does not bind a superuser: the projector connects as a role of its own.
const role = `conn_refused_${process.pid}`;
// A password of its own: the embedded PostgreSQL (no TEST_DATABASE_URL) checks passwords, where a
// trust setup would not.
const password = randomBytes(12).toString('hex');
let projector: Projector;

const roleUrl = () => {
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  return url.toString();
};
const post = (seq: number, worldId: string) =>
  projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(seq, 'item.set', { id: 'a', value: `v${seq}` }, { worldId }) });
/** Posts and measures how long the answer took. */
const timed = async (seq: number, worldId: string) => {
  const started = Date.now();
  const res = await post(seq, worldId);
  return { res, ms: Date.now() - started };
};
const dropRoleBackends = () =>
  db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${role}`;

beforeAll(async () => {
  await db.sql.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await db.sql.unsafe(`ALTER DATABASE ${db.name} OWNER TO ${role}`);
  projector = await testProjector(roleUrl(), { PROJECTOR_DB_POOL_MAX: '2', PROJECTOR_ERROR_BACKOFF_SECONDS: '1', PROJECTOR_DB_CONNECT_TIMEOUT_S: '2' });
});
afterAll(async () => {
  await projector?.close();
  await dropRoleBackends();
  await db.sql.unsafe(`REASSIGN OWNED BY ${role} TO postgres`);
  await db.sql.unsafe(`DROP ROLE IF EXISTS ${role}`);
});

describe('PostgreSQL refusing connections (53300)', () => {
  it('requests get 503 with Retry-After within a few seconds, and are served again once there is room', async () => {
    const worldId = newWorld();
    expect((await post(1, worldId)).statusCode).toBe(200);

    await db.sql.unsafe(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
    await dropRoleBackends();
    const refused = await Promise.all([2, 3, 4, 5].map((seq) => timed(seq, newWorld())));
    for (const { res, ms } of refused) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toMatchObject({ error: 'unavailable' });
      expect(res.headers['retry-after']).toBe('1');
      expect(ms).toBeLessThan(3_000);
    }
    const ready = await projector.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().reasons).toMatchObject([{ check: 'database' }]);

    await db.sql.unsafe(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
    const { res, ms } = await timed(2, worldId);
    expect(res.json()).toEqual({ status: 'processed', global_seq: 2 });
    expect(ms).toBeLessThan(3_000);
  });
});

/**
 * A TCP proxy in front of the test database that the test can stop (connections refused, or the
 * open ones cut), make silent (accepts and never answers), and start again on the same port.
 */
function tcpProxy(target: { host: string; port: number }) {
  let mode: 'forward' | 'silent' = 'forward';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'silent') return;
    const upstream = net.connect(target.port, target.host);
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  let port = 0;
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    start: async () => {
      await listen();
      port = (server.address() as net.AddressInfo).port;
      return port;
    },
    /** Refuses new connections and cuts the open ones. */
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    resume: listen,
    silence: () => {
      mode = 'silent';
      for (const s of sockets) s.destroy();
    },
    forward: () => void (mode = 'forward'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (server.listening) server.close(() => resolve());
        else resolve();
      }),
  };
}

describe('PostgreSQL stopped or silent (behind a TCP proxy)', () => {
  it('a cut or refused connection: 503 within a second; silence: 503 within the connect timeouts; then served again', async () => {
    const target = new URL(db.url);
    const proxy = tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(db.url);
    url.port = String(await proxy.start());
    const behind = await testProjector(url.toString(), { PROJECTOR_DB_POOL_MAX: '2', PROJECTOR_ERROR_BACKOFF_SECONDS: '1', PROJECTOR_DB_CONNECT_TIMEOUT_S: '1' });
    const send = async (seq: number, worldId: string) => {
      const started = Date.now();
      const res = await behind.app.inject({ method: 'POST', url: '/events', payload: makeEvent(seq, 'item.set', { id: 'a', value: `v${seq}` }, { worldId }) });
      return { res, ms: Date.now() - started };
    };
    try {
      const worldId = newWorld();
      expect((await send(1, worldId)).res.statusCode).toBe(200);

      await proxy.stop();
      for (const { res, ms } of await Promise.all([2, 3, 4].map((seq) => send(seq, newWorld())))) {
        expect(res.statusCode, res.body).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(ms).toBeLessThan(2_000);
      }

      await proxy.resume();
      proxy.silence();
      // 1 + 3 retries, each waiting at most the 1 s connect timeout, plus the backoff.
      const silent = await send(2, worldId);
      expect(silent.res.statusCode, silent.res.body).toBe(503);
      expect(silent.ms).toBeLessThan(6_000);

      proxy.forward();
      const back = await send(2, worldId);
      expect(back.res.json()).toEqual({ status: 'processed', global_seq: 2 });
      expect(back.ms).toBeLessThan(2_000);
    } finally {
      await behind.close();
      await proxy.close();
    }
  });
});
