/**
 * The HTTP ceiling of a bench run: an empty Fastify app that answers `POST /events` the way the
 * projector does (`{"status":"processed","global_seq":N}`) and does nothing else. Driven by the same
 * publisher simulator at the same concurrency, it shows what the HTTP layer and the load generator
 * alone allow on this machine in this run; the projector's single-event rate is read against it.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
// The probe the spawner waits on (see waitForReady), as a projector answers it.
app.get('/ready', async () => ({ status: 'ready' }));
app.post<{ Body: { global_seq?: unknown } }>('/events', async (request) => ({ status: 'processed', global_seq: request.body.global_seq }));

const port = Number(process.env['PROJECTOR_PORT'] ?? 0);
await app.listen({ port, host: process.env['PROJECTOR_HOST'] ?? '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
