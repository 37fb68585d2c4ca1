import net from 'node:net';
import { mkdtemp, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';
const dir = process.argv[2] ?? await mkdtemp(path.join(tmpdir(), 'eptry-'));
await chmod(dir, 0o755);
const log = { info: (o: object, m?: string) => console.log('INFO', m, JSON.stringify(o)), warn: (o: object, m?: string) => console.log('WARN', m, JSON.stringify(o)) };
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), log });
console.log('DIR', dir, 'PORT', pg.port);
if (process.argv[3] === 'block') {
  await pg.stop();
  const srv = net.createServer().listen(pg.port, '127.0.0.1');
  const pg2 = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), log });
  console.log('new port', pg2.port);
  srv.close();
  await pg2.stop();
}
// exit without stop
