import type { OfferSpec } from './catalog.schemas';

/**
 * §5 rules, evaluated in the documented order: exclusion (an absolute veto, checked both ways), attribute
 * prerequisite, offer/bundle prerequisite; for a primary-offer change the transition rule. Pure: the caller
 * resolves the versions in force and passes their rules.
 */

export type Rules = OfferSpec['rules'];

/** An offer or bundle as the rules see it. */
export interface RuleItem {
  id: string;
  type: 'OFFER' | 'BUNDLE';
  rules: Rules;
}

export type RuleName = 'EXCLUSION' | 'ATTRIBUTE_PREREQUISITE' | 'PREREQUISITE' | 'TRANSITION' | 'NOT_SELLABLE' | 'NOT_PRIMARY' | 'SAME_OFFER';

export interface RuleDecision {
  allowed: boolean;
  rule: RuleName | null;
  reason: string | null;
}

export const ALLOWED: RuleDecision = { allowed: true, rule: null, reason: null };
const refuse = (rule: RuleName, reason: string): RuleDecision => ({ allowed: false, rule, reason });

const lists = (r: { offers: string[]; bundles: string[] } | undefined, type: 'OFFER' | 'BUNDLE') =>
  (type === 'OFFER' ? r?.offers : r?.bundles) ?? [];

export type Attributes = Record<'ACCOUNT' | 'SUBSCRIBER', Record<string, string | number>>;

/** A term compares numerically when both sides are numbers (or numeric strings), else as strings. */
export function termHolds(actual: string | number | undefined, op: string, expected: string | number): boolean {
  if (actual === undefined) return false;
  const numeric = [actual, expected].every((v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))));
  const a = numeric ? Number(actual) : String(actual);
  const b = numeric ? Number(expected) : String(expected);
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: return false;
  }
}

/** Rows ORed, terms inside a row ANDed; no rows = no condition. */
export function attributesSatisfied(rows: Rules['attributes'], attributes: Attributes): boolean {
  if (!rows || rows.length === 0) return true;
  return rows.some((row) => row.every((t) => termHolds(attributes[t.subject]?.[t.attribute], t.op, t.value)));
}

export interface OrderLine {
  candidate: RuleItem;
  /** What the holder has now (offers and bundles with their rules). */
  held: readonly RuleItem[];
  /** Other items added by the same order. */
  adding?: readonly RuleItem[];
  /** Ids removed by the same order: they no longer count as held. */
  removing?: readonly string[];
  attributes?: Attributes;
}

/**
 * Evaluates one order line. Exclusion first and both ways (the candidate's list against what is held or being
 * added, and each of those items' lists against the candidate), then attributes, then prerequisites.
 */
export function evaluateOrderLine(line: OrderLine): RuleDecision {
  const removing = new Set(line.removing ?? []);
  const present = [...line.held.filter((h) => !removing.has(h.id)), ...(line.adding ?? [])].filter((i) => i.id !== line.candidate.id);
  const c = line.candidate;
  for (const other of present) {
    if (lists(c.rules.exclusion, other.type).includes(other.id)) {
      return refuse('EXCLUSION', `${c.type.toLowerCase()} ${c.id} excludes ${other.type.toLowerCase()} ${other.id}`);
    }
    if (lists(other.rules.exclusion, c.type).includes(c.id)) {
      return refuse('EXCLUSION', `${other.type.toLowerCase()} ${other.id} excludes ${c.type.toLowerCase()} ${c.id}`);
    }
  }
  if (!attributesSatisfied(c.rules.attributes, line.attributes ?? { ACCOUNT: {}, SUBSCRIBER: {} })) {
    return refuse('ATTRIBUTE_PREREQUISITE', 'the account or subscriber attributes do not meet the offer\'s conditions');
  }
  const pre = c.rules.prerequisite;
  if (pre && pre.offers.length + pre.bundles.length > 0) {
    const ok = present.some((p) => lists(pre, p.type).includes(p.id));
    if (!ok) return refuse('PREREQUISITE', `needs one of: ${[...pre.offers, ...pre.bundles].join(', ')}`);
  }
  return ALLOWED;
}

/**
 * A primary-offer change from `from` to `to`: the transition rule of the current subscriber bundle when it has
 * one, else that of the current primary offer. No transition rule = any eligible target. A bundle-level target
 * is a different item: allowing offer PO1 does not allow a bundle containing PO1.
 */
export function evaluateTransition(from: RuleItem, to: RuleItem, currentBundle?: RuleItem | null): RuleDecision {
  if (from.id === to.id && from.type === to.type) return refuse('SAME_OFFER', 'the SIM already has this plan');
  const source = currentBundle?.rules.transition ? currentBundle : from;
  const rule = source.rules.transition;
  if (!rule) return ALLOWED;
  if (lists(rule, to.type).includes(to.id)) return ALLOWED;
  return refuse('TRANSITION', `${source.type.toLowerCase()} ${source.id} does not allow moving to ${to.type.toLowerCase()} ${to.id}`);
}

/**
 * Prerequisites after a change: an order that leaves a held offer with none of its prerequisites is refused
 * unless the same order removes that offer (add-ons must not dangle on a plan they do not fit).
 */
export function danglingAfter(held: readonly RuleItem[], removing: readonly string[], adding: readonly RuleItem[]): RuleItem | null {
  const gone = new Set(removing);
  const after = [...held.filter((h) => !gone.has(h.id)), ...adding];
  for (const item of after) {
    const pre = item.rules.prerequisite;
    if (!pre || pre.offers.length + pre.bundles.length === 0) continue;
    if (!after.some((p) => p.id !== item.id && lists(pre, p.type).includes(p.id))) return item;
  }
  return null;
}
