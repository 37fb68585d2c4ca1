import { semLens } from '@projectors/lens-sem';
import { runReplayCli } from '@projectors/projector-sdk';

// `npx nx run projector-sem:replay -- --all`: replay the log and compare state hashes.
process.exitCode = await runReplayCli(semLens, process.argv.slice(2), process.env);
