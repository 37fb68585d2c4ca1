import { describe, expect, it } from 'vitest';
import { withService } from './docker-compose.js';
import { lensNames } from './lens-names.js';

const geo = lensNames('geo');

const added = (compose: string) => {
  const edit = withService(compose, geo);
  if ('skipped' in edit) throw new Error(edit.skipped);
  return edit;
};

describe('withService', () => {
  it('given anchors, a long ports syntax and names in env, when a service is added, then the copy is renamed, re-ported and defines no anchor', () => {
    const compose = [
      'x-projector: &projector',
      '  build: { context: ., dockerfile: docker/Dockerfile }',
      'services:',
      '  projector-sem:',
      '    <<: *projector',
      '    environment: &sem-env',
      '      PROJECTOR_SEM_LOG: info',
      '      SCHEMA: lens_sem',
      '    ports:',
      '      - target: 8000',
      '        published: 8002',
      '      - "127.0.0.1:9102:9100"',
      '  grafana:',
      '    ports:',
      '      - 8003:3000',
      '',
    ].join('\n');
    const { text, hostPorts } = added(compose);
    expect(hostPorts).toEqual([8004, 9103]);
    expect(text.split('\n').slice(12, 21)).toEqual([
      '  projector-geo:',
      '    <<: *projector',
      '    environment:',
      '      PROJECTOR_GEO_LOG: info',
      '      SCHEMA: lens_geo',
      '    ports:',
      '      - target: 8000',
      '        published: 8004',
      '      - "127.0.0.1:9103:9100"',
    ]);
  });

  it('given a host port from a variable with a default, when a service is added, then the variable and the default are the new ones', () => {
    const compose = 'services:\n  projector-sem:\n    ports:\n      - "${PROJECTOR_SEM_PORT:-8002}:8000"\n';
    expect(added(compose).text).toContain('      - "${PROJECTOR_GEO_PORT:-8003}:8000"\n');
  });

  it('given a longer lens name that starts with the same word, when renamed, then only whole names change', () => {
    const compose = 'services:\n  projector-sem:\n    image: projector-sem-extra\n    command: projector-sem\n';
    expect(added(compose).text.split('\n').slice(4)).toEqual(['  projector-geo:', '    image: projector-sem-extra', '    command: projector-geo', '']);
  });

  it.each([
    ['no services key', 'volumes:\n  pgdata:\n', /no top-level "services:"/],
    ['no projector service', 'services:\n  postgres:\n    image: postgres\n', /no projector-\* service to copy/],
    ['the service already', 'services:\n  projector-geo:\n    image: x\n', /exists already/],
  ])('given %s, when a service is added, then the file is left alone with the reason', (_, compose, reason) => {
    expect(withService(compose, geo)).toEqual({ skipped: expect.stringMatching(reason) });
  });
});
