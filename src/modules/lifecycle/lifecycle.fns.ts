/**
 * The SIM lifecycle rules, in one place and pure: which action moves which state where, how suspension holds
 * of several parties combine, when a test SIM has used up its test allowance, and the CSV shapes of bulk jobs.
 */
import type { SimState } from '../inventory/inventory.tables';

export type { SimState };
export const SIM_STATES: SimState[] = ['WARM', 'READY', 'TEST_ACTIVE', 'ACTIVE', 'SUSPEND', 'TERMINATE'];

export const STATE_ACTIONS = ['ready', 'test-activate', 'activate', 'suspend', 'resume', 'terminate'] as const;
export type StateAction = (typeof STATE_ACTIONS)[number];
export const VALUE_ACTIONS = ['change-plan', 'change-apn', 'change-msisdn', 'lock-imei', 'unlock-imei'] as const;
export type ValueAction = (typeof VALUE_ACTIONS)[number];
export type ChangeAction = StateAction | ValueAction;

/** Who holds a suspension. A party lifts only its own hold. */
export const PARTIES = ['ENTERPRISE', 'TENANT', 'DUNNING', 'SYSTEM'] as const;
export type Party = (typeof PARTIES)[number];

/**
 * The transition table: from each state, the actions allowed and the state they lead to. TERMINATE is final.
 * `suspend` from SUSPEND and `resume` while other holds remain only add or remove a hold (see planStateChange).
 */
export const TRANSITIONS: Record<SimState, Partial<Record<StateAction, SimState>>> = {
  WARM: { ready: 'READY', terminate: 'TERMINATE' },
  READY: { 'test-activate': 'TEST_ACTIVE', activate: 'ACTIVE', terminate: 'TERMINATE' },
  TEST_ACTIVE: { activate: 'ACTIVE', terminate: 'TERMINATE' },
  ACTIVE: { suspend: 'SUSPEND', terminate: 'TERMINATE' },
  SUSPEND: { resume: 'ACTIVE', terminate: 'TERMINATE' },
  TERMINATE: {},
};

/** The domain event each state action records (provisioning subscribes to these). */
export const ACTION_EVENTS: Record<StateAction, string> = {
  ready: 'lifecycle.sim.readied',
  'test-activate': 'lifecycle.sim.test_activated',
  activate: 'lifecycle.sim.activated',
  suspend: 'lifecycle.sim.suspended',
  resume: 'lifecycle.sim.resumed',
  terminate: 'lifecycle.sim.terminated',
};

/** "TEST_ACTIVE" is shown as "TEST-ACTIVE". */
export function displayState(s: SimState): string {
  return s.replace('_', '-');
}

export interface StateChangeInput {
  state: SimState;
  pending: SimState | null;
  /** Parties currently holding the SIM suspended. */
  holds: Party[];
  action: StateAction;
  party: Party;
  /** The SIM's enterprise is suspended by credit control: no new activations. */
  accountSuspended: boolean;
}

export type StateChangePlan =
  | { kind: 'refused'; reason: string }
  /** The SIM moves (asynchronously) to `to`; holds change with it. */
  | { kind: 'transition'; to: SimState; addHold: Party | null; removeHolds: Party[] }
  /** Only the set of holds changes; the SIM stays where it is (no network change). */
  | { kind: 'hold'; addHold: Party | null; removeHolds: Party[] };

/** Decides what an action does to a SIM. Every refusal says why. */
export function planStateChange(i: StateChangeInput): StateChangePlan {
  const effective = i.pending ?? i.state;
  if (i.state === 'TERMINATE') return { kind: 'refused', reason: 'the SIM is terminated; TERMINATE is final' };

  if (i.action === 'suspend' && effective === 'SUSPEND') {
    if (i.holds.includes(i.party)) return { kind: 'refused', reason: `the SIM is already suspended by ${i.party}` };
    return { kind: 'hold', addHold: i.party, removeHolds: [] };
  }
  if (i.action === 'resume') {
    if (!i.holds.includes(i.party)) {
      const by = i.holds.length ? `; it is held by ${i.holds.join(', ')}` : '';
      return { kind: 'refused', reason: `the SIM is not suspended by ${i.party}${by}` };
    }
    const others = i.holds.filter((p) => p !== i.party);
    if (others.length) return { kind: 'hold', addHold: null, removeHolds: [i.party] };
  }

  if (i.pending) return { kind: 'refused', reason: `a change to ${displayState(i.pending)} is still being applied by the network` };
  const to = TRANSITIONS[i.state][i.action];
  if (!to) {
    const allowed = Object.keys(TRANSITIONS[i.state]);
    return { kind: 'refused', reason: `${i.action} is not allowed from ${displayState(i.state)} (allowed: ${allowed.join(', ') || 'none'})` };
  }
  if ((i.action === 'activate' || i.action === 'test-activate') && i.accountSuspended) {
    return { kind: 'refused', reason: 'the account is suspended: no new activations until it is resumed' };
  }
  if (i.action === 'suspend') return { kind: 'transition', to, addHold: i.party, removeHolds: [] };
  if (i.action === 'resume') return { kind: 'transition', to, addHold: null, removeHolds: [i.party] };
  if (i.action === 'terminate') return { kind: 'transition', to, addHold: null, removeHolds: [...i.holds] };
  return { kind: 'transition', to, addHold: null, removeHolds: [] };
}

/** The party a caller suspends or resumes as: enterprise users for their enterprise, tenant staff for the tenant. */
export function partyOf(principal: { kind: string; role: string }): Party {
  if (principal.kind === 'system') return 'SYSTEM';
  return principal.role.startsWith('enterprise_') ? 'ENTERPRISE' : 'TENANT';
}

export interface TestLimits {
  dataBytes: number | null;
  sms: number | null;
  days: number | null;
}
export const DEFAULT_TEST_LIMITS: TestLimits = { dataBytes: 10 * 1024 * 1024, sms: 10, days: 30 };

/** Why a test SIM's test period is over, or null while it may continue. */
export function testLimitReached(l: TestLimits, used: { dataBytes: number; sms: number }, startedAt: Date, now: Date): string | null {
  if (l.dataBytes !== null && used.dataBytes >= l.dataBytes) return `test data limit of ${l.dataBytes} bytes reached`;
  if (l.sms !== null && used.sms >= l.sms) return `test SMS limit of ${l.sms} reached`;
  if (l.days !== null && now.getTime() >= startedAt.getTime() + l.days * 86_400_000) return `test period of ${l.days} days ended`;
  return null;
}

export function testEndsAt(l: TestLimits, startedAt: Date): Date | null {
  return l.days === null ? null : new Date(startedAt.getTime() + l.days * 86_400_000);
}

const IDENT = /^(?:\d{6,22}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The SIM identifiers of a bulk CSV: the first column of each line (ICCID, IMSI, MSISDN or SIM id); an optional
 * header line is recognised by not being an identifier. Every bad line is reported; duplicates too.
 */
export function parseIdentifierCsv(text: string): { identifiers: string[]; errors: { line: number; field: string; reason: string }[] } {
  const identifiers: string[] = [];
  const errors: { line: number; field: string; reason: string }[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const cell = raw.split(/[,;\t]/)[0]?.trim().replace(/^"|"$/g, '') ?? '';
    if (!cell) return;
    if (!IDENT.test(cell)) {
      if (idx === 0 && /[a-z]/i.test(cell)) return; // header
      errors.push({ line, field: 'identifier', reason: `"${cell.slice(0, 40)}" is not an ICCID, IMSI, MSISDN or SIM id` });
      return;
    }
    const prev = seen.get(cell.toLowerCase());
    if (prev) {
      errors.push({ line, field: 'identifier', reason: `${cell} repeats line ${prev}` });
      return;
    }
    seen.set(cell.toLowerCase(), line);
    identifiers.push(cell);
  });
  if (identifiers.length === 0 && errors.length === 0) errors.push({ line: 1, field: 'csv', reason: 'names no SIM' });
  return { identifiers, errors };
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface BulkResultRow {
  seq: number;
  identifier: string;
  simId: string | null;
  outcome: string;
  changeId: string | null;
  changeStatus: string | null;
  detail: string | null;
}

/** The downloadable result of a bulk job: one line per SIM with the job outcome and the change's final status. */
export function bulkResultCsv(rows: BulkResultRow[]): string {
  const head = 'line,identifier,sim_id,outcome,change_id,change_status,detail';
  return [head, ...rows.map((r) => [r.seq, r.identifier, r.simId, r.outcome, r.changeId, r.changeStatus, r.detail].map(csvCell).join(','))].join('\n') + '\n';
}
