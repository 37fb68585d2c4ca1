import { semLens } from '@projectors/lens-sem';
import { runRebuildCli } from '@projectors/projector-sdk';

// `npx nx run projector-sem:rebuild`: build the lens anew beside the live one, compare, cut over.
process.exitCode = await runRebuildCli(semLens, process.argv.slice(2), process.env);
