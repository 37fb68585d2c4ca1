/**
 * What `global-setup.ts` hands to every test file through vitest's `provide`/`inject`.
 * Imported (for its types) by `index.ts`, so `inject('adminDatabaseUrl')` is typed wherever
 * `@projectors/projector-sdk/testing` is imported.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the PostgreSQL this test run uses: may CREATE and DROP databases. */
    adminDatabaseUrl: string;
  }
}

export const ADMIN_DATABASE_URL_KEY = 'adminDatabaseUrl' as const;
