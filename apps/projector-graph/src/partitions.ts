import { graphLens } from '@projectors/lens-graph';
import { runPartitionsCli } from '@projectors/projector-sdk';

// `npx nx run projector-graph:partitions -- list`: blocked partitions, and skip or retry a poison event.
process.exitCode = await runPartitionsCli(graphLens, process.argv.slice(2), process.env);
