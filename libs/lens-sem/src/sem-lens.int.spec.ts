import { describeProjectorContract } from '@projectors/projector-sdk/testing';
import { semLens } from './sem-lens.js';

describeProjectorContract(semLens);
