import { relLens } from '@projectors/lens-rel';
import { runRebuildCli } from '@projectors/projector-sdk';

// `npx nx run projector-rel:rebuild`: build the lens anew beside the live one, compare, cut over.
process.exitCode = await runRebuildCli(relLens, process.argv.slice(2), process.env);
