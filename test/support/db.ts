import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { DatabaseService, migrate } from '../../src/platform/db';

/** The PostgreSQL server tests use (the machine's, trust auth). */
export const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_DB = 'cmp_test_template';

export function urlFor(database: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database for one test file: a copy of the migrated template on PostgreSQL (milliseconds),
 * or an in-memory PGlite when CMP_TEST_DB=pglite. `close` drops it.
 */
export async function openTestDatabase(): Promise<{ dbs: DatabaseService; close: () => Promise<void> }> {
  if (process.env.CMP_TEST_DB === 'pglite') {
    const dbs = await DatabaseService.open({ memory: true });
    await migrate(dbs);
    return { dbs, close: () => dbs.close() };
  }
  const name = `cmp_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name} template ${TEMPLATE_DB}`);
  const dbs = await DatabaseService.open({ url: urlFor(name), poolSize: 5 });
  return {
    dbs,
    close: async () => {
      await dbs.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
