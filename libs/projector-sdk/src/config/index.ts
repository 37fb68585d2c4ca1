export { parseConfig, ConfigError, type ProjectorConfig } from './config.js';
