import { DatabaseService, migrate } from '../../src/platform/db';
import { adminQuery, urlFor, TEMPLATE_DB } from './db';

/** Builds the migrated template database once per run; each test file copies it. */
export default async function setup(): Promise<void> {
  if (process.env.CMP_TEST_DB === 'pglite') return;
  const stale = await adminQuery(`select datname from pg_database where datname like 'cmp_test_%'`);
  for (const row of stale.rows) await adminQuery(`drop database if exists ${row.datname} with (force)`);
  await adminQuery(`create database ${TEMPLATE_DB}`);
  const dbs = await DatabaseService.open({ url: urlFor(TEMPLATE_DB), poolSize: 1 });
  try {
    await migrate(dbs);
  } finally {
    await dbs.close();
  }
}
