import { mkdtemp, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';
const dir = process.argv[2] ?? await mkdtemp(path.join(tmpdir(), 'eptry-'));
await chmod(dir, 0o755);
const log = { info: (o: object, m?: string) => console.log('INFO', m, JSON.stringify(o)), warn: (o: object, m?: string) => console.log('WARN', m, JSON.stringify(o)) };
try {
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), log });
  console.log('DIR', dir, 'PORT', pg.port, 'pid', process.pid);
  if (process.argv[3] === 'exit') process.exit(3);
} catch (e) { console.log('ERR', (e as Error).message); }
