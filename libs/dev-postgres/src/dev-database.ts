/**
 * The dev database: the persistent embedded PostgreSQL `make serve` starts for a service, in
 * `<workspace>/.data/<service>`, and the one every other dev command (replay, the publisher simulator,
 * `make psql`, the bench) finds through its port and password files, without a URL being copied.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { clusterUrl, readPassword, readStoredPort } from './embedded-postgres.js';
import { isListening } from './free-port.js';

/** The workspace root above `from` (the folder holding nx.json), or `from` itself when there is none. */
export function workspaceRoot(from = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (dir === path.dirname(dir)) return path.resolve(from);
  }
}

/** `<workspace>/.data/<service>`: where `make serve` keeps the dev database of `service`. */
export const devDataDir = (service: string, from?: string): string => path.join(workspaceRoot(from), '.data', service);

export type FoundDevDatabase = { ok: true; url: string; port: number } | { ok: false; reason: string };

/** The running dev database of `dataDir`, or why there is none (never starts one: an empty one proves nothing). */
export async function findDevDatabase(dataDir: string): Promise<FoundDevDatabase> {
  const port = await readStoredPort(`${dataDir}.port`);
  if (port === undefined) {
    return { ok: false, reason: `no dev database in ${dataDir} (no ${path.basename(dataDir)}.port): start it with \`make serve\`, or give a database URL` };
  }
  if (!(await isListening(port))) {
    return { ok: false, reason: `the dev database of ${dataDir} is not running (nothing on port ${port}): start it with \`make serve\`, or give a database URL` };
  }
  try {
    return { ok: true, url: clusterUrl(await readPassword(`${dataDir}.password`, dataDir), port), port };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
