import { graphLens } from '@projectors/lens-graph';
import { runProjector } from '@projectors/projector-sdk';

// The whole app: the SDK composed with one lens, configured from the environment.
await runProjector(graphLens, process.env);
