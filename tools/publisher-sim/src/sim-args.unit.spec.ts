import { describe, expect, it } from 'vitest';
import { parseSimArgs } from './sim-args.js';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseSimArgs(argv, env);
  if (parsed.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
};

describe('parseSimArgs', () => {
  it('takes the documented flags, with Nx’s `--` separator in the way', () => {
    const o = run(['--', '--events', '100000', '--worlds', '10', '--branches', '2', '--concurrency', '32', '--batch', '500', '--seed', '7',
      '--url', 'http://localhost:8000/', '--url', 'http://localhost:8001', '--database-url', 'postgres://u@h/db', '--json']);
    expect(o).toMatchObject({ events: 100_000, worlds: 10, branches: 2, concurrency: 32, batch: 500, seed: 7, startSeq: 1, json: true, writeLog: true });
    expect(o.urls).toEqual(['http://localhost:8000', 'http://localhost:8001']);
    expect(o.databaseUrl).toBe('postgres://u@h/db');
  });

  it('defaults to single events and takes the database from PROJECTOR_DATABASE_URL', () => {
    const o = run(['--url', 'http://127.0.0.1:8000'], { PROJECTOR_DATABASE_URL: 'postgresql://x/y' });
    expect(o).toMatchObject({ batch: 0, events: 10_000, worlds: 10, branches: 2, concurrency: 32, seed: 1, maxAttempts: 20, json: false });
    expect(o.databaseUrl).toBe('postgresql://x/y');
  });

  it('without a database URL, writes the log to the dev database of --service (found at run time)', () => {
    expect(run(['--url', 'http://h:1'], {})).toMatchObject({ databaseUrl: 'embedded', service: 'projector-rel' });
    expect(run(['--url', 'http://h:1', '--service', 'projector-sem'], {})).toMatchObject({ databaseUrl: 'embedded', service: 'projector-sem' });
  });

  it('accepts underscores as digit separators', () => {
    expect(run(['--url', 'http://h:1', '--no-log', '--events', '100_000']).events).toBe(100_000);
  });

  it.each([
    [['--events', '10'], /--url/],
    [['--url', 'localhost:8000', '--no-log'], /http/],
    [['--url', 'http://h:1', '--no-log', '--concurrency', '0'], /--concurrency must be an integer >= 1/],
    [['--url', 'http://h:1', '--no-log', '--events', '1e3'], /--events/],
    [['--url', 'http://h:1', '--no-log', '--batch', '-5'], /batch/],
    [['--url', 'http://h:1', '--database-url', 'mysql://x'], /postgres:\/\/ URL or embedded/],
    [['--url', 'http://h:1', '--url', 'http://h:1', '--no-log'], /each --url once/],
    [['--url', 'http://h:1', '--no-log', '--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    const parsed = parseSimArgs(argv, {});
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.message).toMatch(message);
  });

  it('answers --help', () => {
    expect(parseSimArgs(['--help']).kind).toBe('help');
  });
});
