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
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:lens', onlyDependOnLibsWithTags: ['type:sdk'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:sdk', 'type:lens'] },
            // Tools (publisher simulator, benchmark) drive projectors: they may use the SDK, the lenses and each other.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:sdk', 'type:lens', 'type:tool'] },
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
];
