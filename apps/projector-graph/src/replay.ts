import { graphLens } from '@projectors/lens-graph';
import { runReplayCli } from '@projectors/projector-sdk';

// `npx nx run projector-graph:replay -- --all`: replay the log and compare state hashes.
process.exitCode = await runReplayCli(graphLens, process.argv.slice(2), process.env);
