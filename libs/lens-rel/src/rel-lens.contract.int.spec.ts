import { describeProjectorContract } from '@projectors/projector-sdk/testing';
import { relLens } from './rel-lens.js';

describeProjectorContract(relLens);
