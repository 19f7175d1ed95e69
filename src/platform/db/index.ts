export { DatabaseService, enterScope, APP_ROLE, type Db, type Tx, type TenantScope, type DatabaseOptions } from './database';
export { migrate, pendingMigrations, listMigrations, MIGRATIONS_DIR } from './migrate';
export type { Database } from './schema';
