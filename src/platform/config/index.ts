export { configSchema, loadConfig, getConfig, setConfig, ConfigError, type Config } from './config';
