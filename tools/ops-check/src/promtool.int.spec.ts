import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_FILE, RULES_TEST_FILE } from './ops-files.js';

const run = promisify(execFile);
const promtool = (...args: string[]) =>
  run('promtool', args, { cwd: path.dirname(RULES_FILE) }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (err: { code?: number | string; stdout?: string; stderr?: string }) => ({ code: err.code, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  );
const found = await promtool('--version');
// On a workstation without it, skipped; in CI (CI set) a missing promtool fails (apt-get install prometheus).
const missing = found.code === 'ENOENT';

describe.skipIf(missing && !process.env['CI'])('promtool (Debian: apt-get install prometheus)', () => {
  it('is installed', () => {
    expect(missing, 'promtool is not on PATH: apt-get install -y prometheus').toBe(false);
  });

  it('check rules: the alert rules parse, each with a valid expression', async () => {
    const { code, output } = await promtool('check', 'rules', RULES_FILE);
    expect(code, output).toBe(0);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('test rules: the unit tests of the alerts pass', async () => {
    const { code, output } = await promtool('test', 'rules', RULES_TEST_FILE);
    expect(code, output).toBe(0);
  });

  describe('can fail', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'ops-check-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('a broken expression fails check rules; an alert changed under its test fails test rules', async () => {
      const rules = await readFile(RULES_FILE, 'utf8');
      await writeFile(path.join(dir, 'broken.yml'), rules.replace('projector_database_up == 0', 'projector_database_up == == 0'));
      expect((await promtool('check', 'rules', path.join(dir, 'broken.yml'))).code).not.toBe(0);
      await writeFile(path.join(dir, 'alerts.yml'), rules.replace('projector_database_up == 0\n        for: 1m', 'projector_database_up == 0\n        for: 10m'));
      await copyFile(RULES_TEST_FILE, path.join(dir, 'alerts.test.yml'));
      const { code, output } = await promtool('test', 'rules', path.join(dir, 'alerts.test.yml'));
      expect(code).not.toBe(0);
      expect(output).toMatch(/ProjectorDatabaseDown/);
    });
  });
});
