import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.data', '**/vite.config.*.timestamp*', '**/vitest.config.*.timestamp*'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // The root configs every project extends (eslint) or calls (the vitest config factory).
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^.*/vitest\\.shared\\.mjs$'],
          depConstraints: [
            // type:dev (libs/dev-postgres) is development only: the SDK's tests and the tools use it; no
            // app or lens does, so no production folder or image contains it (the SDK's runtime loads it
            // dynamically, and only for PROJECTOR_DATABASE_URL=embedded: see the rule below).
            { sourceTag: 'type:dev', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:dev'] },
            { sourceTag: 'type:lens', onlyDependOnLibsWithTags: ['type:sdk'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:sdk', 'type:lens'] },
            // Tools (publisher simulator, benchmark) drive projectors: they may use the SDK, the lenses and each other.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:sdk', 'type:lens', 'type:tool', 'type:dev'] },
            // An app composes the SDK with exactly one lens: its own.
            { sourceTag: 'lens:rel', onlyDependOnLibsWithTags: ['type:sdk', 'lens:rel'] },
            { sourceTag: 'lens:sem', onlyDependOnLibsWithTags: ['type:sdk', 'lens:sem'] },
            { sourceTag: 'lens:graph', onlyDependOnLibsWithTags: ['type:sdk', 'lens:graph'] },
          ],
        },
      ],
      // `!` marks a lookup the code has just made sure of; TypeScript cannot see it.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The SDK's runtime never imports the dev library statically: only its testing entry may.
    files: ['libs/projector-sdk/src/**/*.ts'],
    ignores: ['libs/projector-sdk/src/testing/**', 'libs/projector-sdk/src/**/*.spec.ts', 'libs/projector-sdk/src/**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@projectors/dev-postgres', message: 'development only: load it dynamically (server/database.ts)' }] }],
    },
  },
];
