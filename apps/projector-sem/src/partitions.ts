import { semLens } from '@projectors/lens-sem';
import { runPartitionsCli } from '@projectors/projector-sdk';

// `npx nx run projector-sem:partitions -- list`: blocked partitions, and skip or retry a poison event.
process.exitCode = await runPartitionsCli(semLens, process.argv.slice(2), process.env);
