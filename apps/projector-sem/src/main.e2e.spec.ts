import path from 'node:path';
import { describeProjectorProcess } from '@projectors/projector-sdk/testing';

// The built app as a process: serve, graceful stop, exit codes (contract.md, "Configuration").
describeProjectorProcess({
  appDir: path.resolve(import.meta.dirname, '..'),
  project: 'projector-sem',
  projectorName: 'projector_sem',
  lens: 'sem',
});
