import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/check-payload-hash.py', import.meta.url));
const run = promisify(execFile);
const hasPython = await run('python3', ['--version']).then(
  () => true,
  () => false,
);

describe('payload hash: the vectors are what CPython computes', () => {
  it.runIf(hasPython)('check-payload-hash.py recomputes every vector of fixtures/payload-hash.json with CPython', async () => {
    const { stdout } = await run('python3', [script]);
    expect(stdout.trim()).toMatch(/^[1-9]\d* passed, 0 failed$/);
  });
});
