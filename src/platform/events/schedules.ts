import { CronExpressionParser } from 'cron-parser';
import { sql } from 'kysely';
import type { DatabaseService } from '../db/database';

export interface Schedule {
  name: string;
  /** Five-field cron expression, evaluated in UTC. */
  cron: string;
  run: (dueAt: Date) => Promise<void>;
}

export function nextRun(cron: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: 'UTC' }).next().toDate();
}

/**
 * Scheduled jobs that run once across all processes: each schedule is a row; a process claims a due run by
 * moving next_run_at forward in a conditional UPDATE, which only one process can win for a given due time.
 */
export class Scheduler {
  private readonly schedules = new Map<string, Schedule>();

  register(schedule: Schedule): void {
    nextRun(schedule.cron, new Date()); // fails fast on a bad expression
    this.schedules.set(schedule.name, schedule);
  }

  list(): Schedule[] {
    return [...this.schedules.values()];
  }

  /** Inserts missing schedule rows and follows changed cron expressions. */
  async sync(dbs: DatabaseService, now = new Date()): Promise<void> {
    for (const s of this.schedules.values()) {
      await sql`insert into job_schedules (name, cron, next_run_at) values (${s.name}, ${s.cron}, ${nextRun(s.cron, now)})
                on conflict (name) do update set cron = excluded.cron,
                  next_run_at = case when job_schedules.cron = excluded.cron then job_schedules.next_run_at
                                     else excluded.next_run_at end`.execute(dbs.db);
    }
  }

  /** Runs every schedule that is due and that this process wins. Returns the names it ran. */
  async runDue(dbs: DatabaseService, now = new Date(), onError?: (name: string, err: unknown) => void): Promise<string[]> {
    const ran: string[] = [];
    for (const s of this.schedules.values()) {
      const claim = await sql<{ next_run_at: Date }>`
        update job_schedules set next_run_at = ${nextRun(s.cron, now)}, last_run_at = ${now}
         where name = ${s.name} and next_run_at <= ${now}
        returning next_run_at`.execute(dbs.db);
      if (claim.rows.length === 0) continue;
      try {
        await s.run(now);
        await sql`update job_schedules set runs = runs + 1, last_status = 'OK', last_error = null where name = ${s.name}`.execute(dbs.db);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        await sql`update job_schedules set runs = runs + 1, failures = failures + 1, last_status = 'FAILED',
                    last_error = ${msg.slice(0, 2000)} where name = ${s.name}`.execute(dbs.db);
        onError?.(s.name, err);
      }
      ran.push(s.name);
    }
    return ran;
  }
}
