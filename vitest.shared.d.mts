import type { ViteUserConfig } from 'vitest/config';

export interface ProjectTestConfig {
  /** The project's folder (`import.meta.dirname` of its vitest.config.ts). */
  dir: string;
  /** The vitest project name. */
  name: string;
  /** Start (or find) a real PostgreSQL once per run: the project's specs use `@projectors/projector-sdk/testing`. */
  database?: boolean;
  include?: string[];
  exclude?: string[];
  testTimeout?: number;
  hookTimeout?: number;
}

export function projectTestConfig(options: ProjectTestConfig): ViteUserConfig;
