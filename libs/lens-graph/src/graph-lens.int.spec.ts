import { describeProjectorContract } from '@projectors/projector-sdk/testing';
import { graphLens } from './graph-lens.js';

describeProjectorContract(graphLens);
