import { semLens } from '@projectors/lens-sem';
import { runProjector } from '@projectors/projector-sdk';

// The whole app: the SDK composed with one lens, configured from the environment.
await runProjector(semLens, process.env);
