import { spawn } from 'node:child_process';

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <args>` from `cwd`, collecting its output; the child dies with the bench. */
export async function runNodeChild(cwd: string, args: readonly string[]): Promise<ChildRun> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // The bench interrupted or failing: the child goes with it.
  const killChild = () => child.kill();
  process.once('exit', killChild);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  }).finally(() => process.removeListener('exit', killChild));
  return { code, stdout, stderr };
}
