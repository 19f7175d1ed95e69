import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { DatabaseService, migrate } from '../../src/platform/db';

/** The PostgreSQL server tests use (the machine's, trust auth). */
export const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Test database names carry their creation time (seconds) so stale ones can be told apart from running ones. */
export function testDbName(kind: 'tpl' | 'db'): string {
  return `cmp_t${kind}_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
}
export function isStale(name: string, maxAgeSeconds = 3 * 3600): boolean {
  const m = /^cmp_t(?:tpl|db)_(\d+)_/.exec(name);
  return m ? Date.now() / 1000 - Number(m[1]) > maxAgeSeconds : /^cmp_test_/.test(name);
}

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
  const name = testDbName('db');
  await adminQuery(`create database ${name} template ${inject('templateDb')}`);
  const dbs = await DatabaseService.open({ url: urlFor(name), poolSize: 5 });
  return {
    dbs,
    close: async () => {
      await dbs.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
