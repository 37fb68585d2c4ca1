#!/usr/bin/env node
/**
 * The production folder of one app, as the Docker image runs it:
 *
 *   node tools/standalone/make-standalone.mjs <app> <outDir>     (after `nx run <app>:build`)
 *   cd <outDir> && PROJECTOR_DATABASE_URL=... node main.js
 *
 * <outDir> gets the app's compiled files, a package.json whose dependencies are the npm dependencies
 * declared by the app and by the workspace libs it uses (pinned to the versions of the root lock), that
 * lock pruned to them, their production install (`npm ci --omit=dev`) with `patches/` applied, and each
 * used lib (its package.json and compiled dist) in node_modules/@projectors/<lib>. Nothing in it
 * resolves into the workspace.
 *
 * Why a script rather than `@nx/js:prune-lockfile` + `@nx/js:copy-workspace-modules`: those write into
 * the app's tsc output folder (a cached build output), copy each lib's whole folder (src, specs,
 * configs) and the app's `nx` block, prune by imports (the SDK's `testing` entry brings vitest and
 * testcontainers into the lock) and leave the postgres.js patch out. The hard part, pruning the lock
 * file, is Nx's own `createLockFile`; the rest is a few visible steps.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEV_ONLY } from './dev-only.mjs';

const workspaceRoot = path.resolve(import.meta.dirname, '../..');
const RUNTIME_FILE = /\.(c|m)?js$|\.json$/;
/** Export conditions of the workspace that point at files the folder does not ship (src, .d.ts). */
const DEV_CONDITIONS = new Set(['development', 'types']);

const [appName, outArg] = process.argv.slice(2);
if (!appName || !outArg) {
  console.error('usage: node tools/standalone/make-standalone.mjs <app> <outDir>');
  process.exit(2);
}
const outDir = path.resolve(outArg);
const startedAt = Date.now();
const step = (message) => console.log(`[standalone ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);

// Nx reads its workspace from the cwd; no daemon or plugin workers for a one-shot script.
process.chdir(workspaceRoot);
process.env.NX_DAEMON ??= 'false';
process.env.NX_ISOLATE_PLUGINS ??= 'false';
const { createProjectGraphAsync } = await import('@nx/devkit');
const { createLockFile } = await import('@nx/js');

step(`reading the project graph for ${appName}`);
const graph = await createProjectGraphAsync({ exitOnError: true });
const projects = workspacePackages(graph);
const app = [...projects.values()].find((p) => p.project === appName);
if (!app) fail(`no project named ${appName}`);
if (!existsSync(path.join(app.root, 'dist', 'main.js'))) {
  fail(`${app.root}/dist/main.js is missing: run \`nx run ${appName}:build\` first`);
}
const libs = usedLibs(app, projects);
const rootManifest = readJson('package.json');
const rootLock = readJson('package-lock.json');

const manifest = {
  name: app.manifest.name,
  version: app.manifest.version,
  private: true,
  description: app.manifest.description,
  type: 'module',
  main: 'main.js',
  scripts: { start: 'node main.js' },
  engines: rootManifest.engines,
  dependencies: npmDependencies([app, ...libs], projects, rootLock),
};
step(`${libs.map((l) => l.manifest.name).join(', ')} and ${Object.keys(manifest.dependencies).length} npm dependencies`);
const lock = JSON.parse(createLockFile(manifest, graph, 'npm'));
// createLockFile answers the whole root lock when pruning fails: that must not ship silently.
if (lock.packages?.['']?.name !== manifest.name) fail('Nx could not prune package-lock.json (see its error above)');
manifest.allowScripts = allowScriptsFor(rootManifest.allowScripts, lock);

prepareOutDir(outDir, manifest.name, projects);
writeJson(path.join(outDir, 'package.json'), manifest);
writeJson(path.join(outDir, 'package-lock.json'), lock);
copyRuntimeFiles(path.join(app.root, 'dist'), outDir);
const patches = copyPatches(lock, path.join(outDir, 'patches'));

step(`npm ci --omit=dev (${Object.keys(lock.packages).length - 1} packages)`);
run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], outDir);
if (patches.length > 0) {
  step(`patch-package: ${patches.join(', ')}`);
  const patchPackage = path.join(path.dirname(createRequire(import.meta.url).resolve('patch-package/package.json')), 'index.js');
  run(process.execPath, [patchPackage, '--error-on-fail'], outDir);
}
// After the install: `npm ci` empties node_modules, and these packages are on no registry.
for (const lib of libs) {
  const target = path.join(outDir, 'node_modules', lib.manifest.name);
  copyRuntimeFiles(path.join(lib.root, 'dist'), path.join(target, 'dist'));
  writeJson(path.join(target, 'package.json'), runtimeManifest(lib.manifest));
}
checkResolvesInside(outDir, [...libs.map((l) => l.manifest.name), ...Object.keys(manifest.dependencies)]);
checkNoDevTools(outDir);
step(`done: cd ${outDir} && node main.js`);

/** package name -> { project, root, manifest } for every project of the graph with a package.json. */
function workspacePackages(projectGraph) {
  const byName = new Map();
  for (const node of Object.values(projectGraph.nodes)) {
    const file = path.join(node.data.root, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = readJson(file);
    byName.set(manifest.name, { project: node.name, root: node.data.root, manifest });
  }
  return byName;
}

/** The workspace packages the app depends on at run time, transitively, through `dependencies`. */
function usedLibs(root, byName) {
  const found = new Map();
  const visit = (pkg) => {
    for (const name of Object.keys(pkg.manifest.dependencies ?? {})) {
      const lib = byName.get(name);
      if (!lib || found.has(name)) continue;
      found.set(name, lib);
      visit(lib);
    }
  };
  visit(root);
  return [...found.values()];
}

/** The union of the declared npm dependencies, each at the version the root lock installed. */
function npmDependencies(packages, byName, lockFile) {
  const pinned = {};
  for (const pkg of packages) {
    for (const name of Object.keys(pkg.manifest.dependencies ?? {})) {
      if (byName.has(name)) continue;
      const entry = lockFile.packages[`${pkg.root}/node_modules/${name}`] ?? lockFile.packages[`node_modules/${name}`];
      if (!entry?.version) fail(`${name} (a dependency of ${pkg.manifest.name}) is not in package-lock.json: run npm install`);
      if (pinned[name] && pinned[name] !== entry.version) {
        fail(`${name} is installed at ${pinned[name]} and ${entry.version}: one folder can hold one`);
      }
      pinned[name] = entry.version;
    }
  }
  return Object.fromEntries(Object.entries(pinned).sort(([a], [b]) => a.localeCompare(b)));
}

/** The root's install-script policy (npm `allowScripts`), for the packages that are in the folder. */
function allowScriptsFor(allowScripts, lockFile) {
  if (!allowScripts) return undefined;
  const installed = new Set(Object.keys(lockFile.packages).map((key) => key.replace(/^.*node_modules\//, '')));
  return Object.fromEntries(Object.entries(allowScripts).filter(([name]) => installed.has(name)));
}

function prepareOutDir(dir, packageName, byName) {
  // Not the workspace, nor in a project: a node_modules there would be read by Nx, tsc and Node.
  const within = (root) => dir === root || dir.startsWith(`${root}${path.sep}`);
  const project = [...byName.values()].find((p) => within(path.join(workspaceRoot, p.root)));
  if (dir === workspaceRoot) fail(`${dir} is the workspace: pick a folder elsewhere (default dist/standalone/<app>)`);
  if (project) fail(`${dir} is inside project ${project.project}: pick a folder elsewhere`);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    // Only a folder this script made before is emptied; anything else is someone's data.
    const previous = path.join(dir, 'package.json');
    const made = existsSync(previous) ? readJson(previous) : undefined;
    if (made?.name !== packageName || made.main !== 'main.js' || 'nx' in made) {
      fail(`${dir} is not empty and is not a standalone folder of ${packageName}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
}

function copyRuntimeFiles(from, to) {
  cpSync(from, to, {
    recursive: true,
    filter: (src) => !src.endsWith('.d.ts') && (RUNTIME_FILE.test(src) || isDirectory(src)),
  });
}

/** The patches of `patches/` whose package is in the pruned lock (patch-package fails on a missing one). */
function copyPatches(lockFile, to) {
  const dir = path.join(workspaceRoot, 'patches');
  if (!existsSync(dir)) return [];
  const copied = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.patch'))) {
    if (!lockFile.packages[`node_modules/${patchedPackagePath(file)}`]) continue;
    mkdirSync(to, { recursive: true });
    cpSync(path.join(dir, file), path.join(to, file));
    copied.push(file);
  }
  return copied;
}

/** `@scope+name+1.0.0.patch` -> `@scope/name`; `a++b+1.0.0.patch` -> `a/node_modules/b`. */
function patchedPackagePath(file) {
  return file
    .replace(/\.patch$/, '')
    .split('++')
    .map((segment) => {
      const [first, second] = segment.split('+');
      return segment.startsWith('@') ? `${first}/${second}` : first;
    })
    .join('/node_modules/');
}

/** What a lib's package.json needs at run time: no `nx`, scripts, or conditions pointing at src. */
function runtimeManifest(pkg) {
  const { name, version, description, type, main, exports, dependencies } = pkg;
  return { name, version, private: true, description, type, main, exports: withoutDevConditions(exports), dependencies };
}

function withoutDevConditions(exports) {
  if (!exports || typeof exports !== 'object') return exports;
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => !DEV_CONDITIONS.has(key))
      .map(([key, value]) => [key, withoutDevConditions(value)]),
  );
}

/** Every package resolves inside the folder, as plain `node` resolves it (no `development` condition). */
function checkResolvesInside(dir, names) {
  const script = 'for (const n of JSON.parse(process.argv[1])) console.log(n + " " + import.meta.resolve(n))';
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(names)], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: '', NODE_OPTIONS: '' },
  });
  if (result.status !== 0) fail(`resolving the dependencies from ${dir} failed:\n${result.stderr}`);
  const inside = `${pathToFileURL(realpathSync(dir)).href}/`;
  const outside = result.stdout.split('\n').filter((line) => line && !line.split(' ')[1].startsWith(inside));
  // Built-ins aside, a package here must not come from the workspace (or anything above the folder).
  if (outside.length > 0) fail(`resolved outside ${dir}:\n${outside.join('\n')}`);
}

/** Development tools stay out of production: the embedded PostgreSQL (60 MB of binaries) above all. */
function checkNoDevTools(dir) {
  const found = DEV_ONLY.filter((name) => existsSync(path.join(dir, 'node_modules', name)));
  if (found.length > 0) fail(`development-only packages in the production folder: ${found.join(', ')} (a runtime dependency pulls them in)`);
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function isDirectory(file) {
  return statSync(file).isDirectory();
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function fail(message) {
  console.error(`make-standalone: ${message}`);
  process.exit(1);
}
