/**
 * `make psql [SERVICE=projector-rel]`: psql on the running dev database of a service. The password goes
 * to psql in its environment (PGPASSWORD), never on a command line.
 */
import { spawn } from 'node:child_process';
import { devDataDir, findDevDatabase } from './dev-database.js';

const service = process.argv[2] || 'projector-rel';
const found = await findDevDatabase(devDataDir(service));
if (!found.ok) {
  process.stderr.write(`psql: ${found.reason}\n`);
  process.exit(1);
}
const url = new URL(found.url);
const child = spawn('psql', process.argv.slice(3), {
  stdio: 'inherit',
  env: {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: url.pathname.slice(1),
  },
});
child.once('error', (err) => {
  process.stderr.write(`psql: cannot run psql (${err.message}); install the PostgreSQL client (e.g. apt-get install postgresql-client)\n`);
  process.exit(1);
});
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
