import { graphLens } from '@projectors/lens-graph';
import { runRebuildCli } from '@projectors/projector-sdk';

// `npx nx run projector-graph:rebuild`: build the lens anew beside the live one, compare, cut over.
process.exitCode = await runRebuildCli(graphLens, process.argv.slice(2), process.env);
