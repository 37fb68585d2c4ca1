import { relLens } from '@projectors/lens-rel';
import { runProjector } from '@projectors/projector-sdk';

// The whole app: the SDK composed with one lens, configured from the environment.
await runProjector(relLens, process.env);
