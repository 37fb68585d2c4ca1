import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const help = { help: { type: 'boolean', short: 'h', default: false } } as const;
type Config<O extends ParseArgsOptionsConfig> = { args: string[]; options: O & typeof help; strict: true };
type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>['values'];

/**
 * Parses the flags of a projector command (the `--` that `nx run` passes on is dropped). Bad usage
 * writes the error and the usage to stderr: `{ exit: 2 }`; `--help` writes the usage: `{ exit: 0 }`.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O, usage: string): { values: Values<O> } | { exit: 0 | 2 } {
  let values: Values<O>;
  try {
    values = parseArgs<Config<O>>({ args: argv.filter((a) => a !== '--'), options: { ...options, ...help }, strict: true }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return { exit: 2 };
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return { exit: 0 };
  }
  return { values };
}
