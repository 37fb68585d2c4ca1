import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-args.js';

const run = (argv: string[]) => {
  const parsed = parseBenchArgs(argv);
  if (parsed.kind !== 'run') throw new Error(JSON.stringify(parsed));
  return parsed.options;
};

describe('parseBenchArgs', () => {
  it('has full-size defaults, profiling only on a miss', () => {
    expect(run([])).toEqual({ quick: false, singleEvents: 3_000, batchEvents: 20_000, hashRows: 1_000_000, profile: 'on-miss', resultsDir: undefined, keepDatabase: false });
  });

  it('--quick is small and never profiles unless asked', () => {
    expect(run(['--', '--quick'])).toMatchObject({ quick: true, singleEvents: 300, batchEvents: 2_000, hashRows: 100_000, profile: 'never' });
    expect(run(['--quick', '--profile']).profile).toBe('always');
  });

  it('--events scales the batch scenarios too unless they are given', () => {
    expect(run(['--events', '6,000'])).toMatchObject({ singleEvents: 6_000, batchEvents: 40_000 });
    expect(run(['--events', '600', '--batch-events', '1_000', '--hash-rows', '5000'])).toMatchObject({ singleEvents: 600, batchEvents: 1_000, hashRows: 5_000 });
  });

  it.each([[['--events', 'many']], [['--events', '5']], [['--profile', '--no-profile']], [['--what']]])('rejects %j', (argv) => {
    expect(parseBenchArgs(argv).kind).toBe('error');
  });
});
