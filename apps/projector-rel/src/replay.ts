import { relLens } from '@projectors/lens-rel';
import { runReplayCli } from '@projectors/projector-sdk';

// `npx nx run projector-rel:replay -- --all`: replay the log and compare state hashes.
process.exitCode = await runReplayCli(relLens, process.argv.slice(2), process.env);
