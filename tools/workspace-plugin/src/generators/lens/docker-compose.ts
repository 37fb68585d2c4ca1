import { logger, type Tree } from '@nx/devkit';
import type { LensNames } from './lens-names.js';

const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yaml', 'compose.yml'];

export type ComposeEdit = { readonly text: string; readonly hostPorts: number[] } | { readonly skipped: string };

/**
 * Appends the app's service to the compose file, a copy of the last `projector-*` service with the
 * new names and, for each port it publishes, the next free one above it. It edits the text rather than re-serialising the YAML, so
 * everything else in the file (comments, anchors, quoting) stays as it was written.
 */
export function addComposeService(tree: Tree, names: LensNames): void {
  const file = COMPOSE_FILES.find((f) => tree.exists(f));
  if (!file) {
    logger.warn(`No docker-compose.yml at the workspace root: skipped the ${names.appProject} service.`);
    return;
  }
  const edit = withService(tree.read(file, 'utf-8')!, names);
  if ('skipped' in edit) {
    logger.warn(`${file}: ${edit.skipped}`);
    return;
  }
  tree.write(file, edit.text);
  const ports = edit.hostPorts.length ? ` on host port ${edit.hostPorts.join(', ')}` : ' (no port mapping, like the service it copies)';
  logger.info(`${file}: added service ${names.appProject}${ports}.`);
}

interface Block {
  readonly name: string;
  /** Line index of `  name:`. */
  readonly start: number;
  /** Line index after its last line (blank and comment lines before the next service excluded). */
  readonly end: number;
}

/** The compose text with the new service, or why it was left alone. */
export function withService(text: string, names: LensNames): ComposeEdit {
  const lines = text.split('\n');
  const services = serviceBlocks(lines);
  if (!services) return { skipped: `no top-level "services:" mapping, so no ${names.appProject} service was added.` };
  if (services.some((s) => s.name === names.appProject)) return { skipped: `service ${names.appProject} exists already; left as it is.` };
  const template = services.findLast((s) => /^projector-[a-z0-9-]+$/.test(s.name));
  if (!template) return { skipped: `no projector-* service to copy, so no ${names.appProject} service was added.` };

  const used = new Set(services.flatMap((b) => portLines(lines, b).map((i) => hostPort(lines[i]!)!.port)));
  /** The first port above the copied one that no service publishes: 8004 after 8001-8003. */
  const freePortAfter = (port: number) => {
    let next = port + 1;
    while (used.has(next)) next += 1;
    used.add(next);
    return next;
  };

  const copy = lines.slice(template.start, template.end).map((line) => renamed(withoutAnchor(line), template.name.slice('projector-'.length), names.name));
  const hostPorts: number[] = [];
  for (const i of portLines(lines, template)) {
    const at = i - template.start;
    const published = hostPort(copy[at]!);
    if (!published) continue;
    const free = freePortAfter(published.port);
    hostPorts.push(free);
    copy[at] = published.prefix + String(free) + copy[at]!.slice(published.prefix.length + String(published.port).length);
  }
  const separator = lines[template.start - 1]?.trim() === '' ? [''] : [];
  lines.splice(template.end, 0, ...separator, ...copy);
  return { text: lines.join('\n'), hostPorts };
}

/** The services under the top-level `services:` key, each from its key line to its last line. */
function serviceBlocks(lines: readonly string[]): Block[] | null {
  const top = lines.findIndex((l) => /^services:\s*(#.*)?$/.test(l));
  if (top < 0) return null;
  let sectionEnd = lines.findIndex((l, i) => i > top && /^[^\s#]/.test(l));
  if (sectionEnd < 0) sectionEnd = lines.length;
  const firstEntry = lines.findIndex((l, i) => i > top && i < sectionEnd && isContent(l));
  if (firstEntry < 0) return [];
  const indent = indentOf(lines[firstEntry]!);
  const keys: { name: string; line: number }[] = [];
  for (let i = firstEntry; i < sectionEnd; i++) {
    const key = /^\s*(["']?)([^"'\s:#]+)\1:\s*(#.*)?$/.exec(lines[i]!);
    if (key && indentOf(lines[i]!) === indent) keys.push({ name: key[2]!, line: i });
  }
  return keys.map((key, k) => {
    let end = keys[k + 1]?.line ?? sectionEnd;
    while (end > key.line + 1 && !isContent(lines[end - 1]!)) end -= 1;
    return { name: key.name, start: key.line, end };
  });
}

/** Line indexes of the block's `ports:` entries that publish a host port. */
function portLines(lines: readonly string[], block: Block): number[] {
  const found: number[] = [];
  let portsIndent = -1;
  for (let i = block.start + 1; i < block.end; i++) {
    const line = lines[i]!;
    if (!isContent(line)) continue;
    if (portsIndent >= 0 && indentOf(line) <= portsIndent) portsIndent = -1;
    if (/^\s*ports:\s*(#.*)?$/.test(line)) portsIndent = indentOf(line);
    else if (portsIndent >= 0 && hostPort(line)) found.push(i);
  }
  return found;
}

/**
 * The published port of a ports entry: `- "8001:8000"`, `- 127.0.0.1:8001:8000`,
 * `- "${SEM_PORT:-8001}:8000"`, or `published: 8001` in the long syntax.
 */
function hostPort(line: string): { prefix: string; port: number } | null {
  const short = /^(\s*-\s*["']?(?:[\d.]+:)?(?:\$\{\w+:?-)?)(\d+)\}?:\d+/.exec(line);
  const long = /^(\s*(?:-\s*)?published:\s*["']?)(\d+)/.exec(line);
  const match = short ?? long;
  return match ? { prefix: match[1]!, port: Number(match[2]) } : null;
}

/** `projector-sem`, `projector_sem`, `lens-sem`, `LENS_SEM` and the like, for the new lens. */
function renamed(line: string, from: string, to: string): string {
  const [fromSnake, toSnake] = [from.replaceAll('-', '_'), to.replaceAll('-', '_')];
  const pairs = ['projector', 'lens'].flatMap((p) => [
    [`${p}-${from}`, `${p}-${to}`],
    [`${p}_${fromSnake}`, `${p}_${toSnake}`],
    [`${p}_${fromSnake}`.toUpperCase(), `${p}_${toSnake}`.toUpperCase()],
  ]);
  // Not inside a longer name (`projector-sem-x`), but `PROJECTOR_SEM_PORT` is the sem lens's too.
  const bounded = (name: string) =>
    name === name.toUpperCase() ? `(?<![A-Za-z0-9])${escape(name)}(?![A-Za-z0-9])` : `(?<![\\w-])${escape(name)}(?![\\w-])`;
  return pairs.reduce((out, [a, b]) => out.replace(new RegExp(bounded(a!), 'g'), b!), line);
}

/** A copied `&anchor` would define the anchor twice; without it, the copy has the same content. */
function withoutAnchor(line: string): string {
  const stripped = line.replace(/(^|[\s:,[{-])&[\w.-]+[ \t]*/g, '$1');
  return stripped === line ? line : stripped.trimEnd();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const indentOf = (line: string) => /^ */.exec(line)![0].length;
const isContent = (line: string) => line.trim() !== '' && !line.trim().startsWith('#');
