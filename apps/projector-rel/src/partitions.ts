import { relLens } from '@projectors/lens-rel';
import { runPartitionsCli } from '@projectors/projector-sdk';

// `npx nx run projector-rel:partitions -- list`: blocked partitions, and skip or retry a poison event.
process.exitCode = await runPartitionsCli(relLens, process.argv.slice(2), process.env);
