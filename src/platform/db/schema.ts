/**
 * The typed shape of the database for Kysely. Each module declares the tables it owns by augmenting this
 * interface in its own `*.tables.ts` file:
 *
 *   declare module '../../platform/db/schema' { interface Database { enterprises: EnterprisesTable } }
 *
 * so that the platform never needs to know the modules' tables.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Database {}
