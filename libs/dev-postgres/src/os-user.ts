/**
 * As root, initdb and postgres refuse to run: they run as the `postgres` OS user, created when missing.
 * Everything they read (binaries, data) must be reachable by that user, which is what `staging.ts` sees to.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export const POSTGRES_OS_USER = 'postgres';

export const isRoot = (): boolean => process.getuid?.() === 0;

let creating: Promise<OsUser> | undefined;

/** The `postgres` OS user, created (system user, own group, no home, no shell) when missing. */
export function postgresOsUser(): Promise<OsUser> {
  return (creating ??= (async () => {
    const found = await lookUp(POSTGRES_OS_USER);
    if (found) return found;
    await promisify(execFile)('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_OS_USER]);
    const created = await lookUp(POSTGRES_OS_USER);
    if (!created) throw new Error(`embedded PostgreSQL: useradd ${POSTGRES_OS_USER} ran but the user is not in /etc/passwd`);
    return created;
  })().catch((err: unknown) => {
    creating = undefined;
    throw err;
  }));
}

async function lookUp(name: string): Promise<OsUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/**
 * Whether a user that owns none of them can reach `dir`: every ancestor has the "others" execute bit.
 * (The postgres user may still get there through its group; this errs on the side of staging.)
 */
export async function reachableByOthers(dir: string): Promise<boolean> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}
