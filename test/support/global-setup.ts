import type { TestProject } from 'vitest/node';
import { DatabaseService, migrate } from '../../src/platform/db';
import { adminQuery, urlFor, testDbName, isStale } from './db';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Builds a migrated template database once per run; each test file copies it. Names carry their creation time,
 * so a run removes only databases that earlier, long-finished runs left behind (several runs may share a server).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.CMP_TEST_DB === 'pglite') {
    project.provide('templateDb', '');
    return async () => {};
  }
  const stale = await adminQuery(`select datname from pg_database where datname like 'cmp_t%'`);
  for (const row of stale.rows) if (isStale(row.datname)) await adminQuery(`drop database if exists ${row.datname} with (force)`).catch(() => {});
  const template = testDbName('tpl');
  await adminQuery(`create database ${template}`);
  const dbs = await DatabaseService.open({ url: urlFor(template), poolSize: 1 });
  try {
    await migrate(dbs);
  } finally {
    await dbs.close();
  }
  project.provide('templateDb', template);
  return async () => {
    await adminQuery(`drop database if exists ${template} with (force)`).catch(() => {});
  };
}
