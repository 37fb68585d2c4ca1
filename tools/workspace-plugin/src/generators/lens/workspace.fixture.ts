import type { Tree } from '@nx/devkit';

/** The root files the generator edits, in the shape this workspace has them. */
export const rootTsconfig = `{
  "extends": "./tsconfig.base.json",
  "compileOnSave": false,
  "files": [],
  "references": [
    { "path": "./libs/projector-sdk" },
    { "path": "./libs/lens-rel" },
    { "path": "./libs/lens-sem" },
    { "path": "./apps/projector-rel" },
    { "path": "./apps/projector-sem" },
    { "path": "./tools/workspace-plugin" }
  ]
}
`;

export const eslintConfig = `import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          depConstraints: [
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:lens', onlyDependOnLibsWithTags: ['type:sdk'] },
            // An app composes the SDK with exactly one lens: its own.
            { sourceTag: 'lens:rel', onlyDependOnLibsWithTags: ['type:sdk', 'lens:rel'] },
            { sourceTag: 'lens:sem', onlyDependOnLibsWithTags: ['type:sdk', 'lens:sem'] },
          ],
        },
      ],
    },
  },
];
`;

/** docker-compose.yml as the workspace has it, with two of its projectors. */
export const dockerCompose = `# PostgreSQL and the projectors, one image each from docker/Dockerfile.
name: projectors

x-projector: &projector
  environment:
    PROJECTOR_DATABASE_URL: postgres://postgres:postgres@db:5432/projectors
    PROJECTOR_LOG_LEVEL: \${PROJECTOR_LOG_LEVEL:-info}
  depends_on:
    db:
      condition: service_healthy
  restart: unless-stopped

services:
  db:
    image: postgres:16
    # On 5433, not 5432: a workstation often runs its own PostgreSQL (the tests use it).
    ports:
      - "127.0.0.1:5433:5432"
    volumes:
      - pgdata:/var/lib/postgresql/data

  projector-rel:
    <<: *projector
    build:
      context: .
      dockerfile: docker/Dockerfile
      args:
        APP: projector-rel
    image: projectors/projector-rel:local
    ports:
      - "8001:8000"

  projector-sem:
    <<: *projector
    build:
      context: .
      dockerfile: docker/Dockerfile
      args:
        APP: projector-sem
    image: projectors/projector-sem:local
    ports:
      - "8002:8000"

volumes:
  pgdata:
`;

/** A workspace tree with the root files above and the sem lens and app. */
export function seedWorkspace(tree: Tree, files: { compose?: boolean } = {}): void {
  tree.write('tsconfig.json', rootTsconfig);
  tree.write('eslint.config.mjs', eslintConfig);
  if (files.compose !== false) tree.write('docker-compose.yml', dockerCompose);
  tree.write('libs/lens-sem/package.json', JSON.stringify({ name: '@projectors/lens-sem', nx: { name: 'lens-sem' } }));
  tree.write('apps/projector-sem/package.json', JSON.stringify({ name: '@projectors/projector-sem', nx: { name: 'projector-sem' } }));
}
