import { describe, expect, it } from 'vitest';
import { attributesSatisfied, danglingAfter, evaluateOrderLine, evaluateTransition, termHolds, type RuleItem } from './rules.fns';

const offer = (id: string, rules: RuleItem['rules'] = {}): RuleItem => ({ id, type: 'OFFER', rules });
const bundle = (id: string, rules: RuleItem['rules'] = {}): RuleItem => ({ id, type: 'BUNDLE', rules });
const list = (offers: string[] = [], bundles: string[] = []) => ({ offers, bundles });

describe('order lines', () => {
  it('without rules, anything goes', () => {
    expect(evaluateOrderLine({ candidate: offer('a'), held: [offer('b')] }).allowed).toBe(true);
  });

  it('exclusion is mutual: the candidate\'s list and each held item\'s list', () => {
    expect(evaluateOrderLine({ candidate: offer('a', { exclusion: list(['b']) }), held: [offer('b')] })).toMatchObject({ allowed: false, rule: 'EXCLUSION' });
    expect(evaluateOrderLine({ candidate: offer('a'), held: [offer('b', { exclusion: list(['a']) })] })).toMatchObject({ allowed: false, rule: 'EXCLUSION' });
  });

  it('exclusion counts items added by the same order and not those it removes', () => {
    expect(evaluateOrderLine({ candidate: offer('a', { exclusion: list(['c']) }), held: [], adding: [offer('c')] }).rule).toBe('EXCLUSION');
    expect(evaluateOrderLine({ candidate: offer('a', { exclusion: list(['b']) }), held: [offer('b')], removing: ['b'] }).allowed).toBe(true);
  });

  it('exclusion beats a satisfied prerequisite', () => {
    const d = evaluateOrderLine({ candidate: offer('a', { exclusion: list(['b']), prerequisite: list(['b']) }), held: [offer('b')] });
    expect(d.rule).toBe('EXCLUSION');
  });

  it('a prerequisite is met by any one listed item, offers and bundles alike', () => {
    const needs = offer('addon', { prerequisite: list(['p1', 'p2'], ['bx']) });
    expect(evaluateOrderLine({ candidate: needs, held: [offer('p3')] })).toMatchObject({ allowed: false, rule: 'PREREQUISITE' });
    expect(evaluateOrderLine({ candidate: needs, held: [offer('p2')] }).allowed).toBe(true);
    expect(evaluateOrderLine({ candidate: needs, held: [bundle('bx')] }).allowed).toBe(true);
    expect(evaluateOrderLine({ candidate: needs, held: [offer('bx')] }).allowed).toBe(false);
  });

  it('attribute prerequisites: rows ORed, terms ANDed', () => {
    const rows = [[{ subject: 'ACCOUNT' as const, attribute: 'segment', op: '=' as const, value: 'FLEET' }, { subject: 'ACCOUNT' as const, attribute: 'sims', op: '>=' as const, value: 100 }],
      [{ subject: 'SUBSCRIBER' as const, attribute: 'tech', op: '=' as const, value: 'NB-IOT' }]];
    expect(attributesSatisfied(rows, { ACCOUNT: { segment: 'FLEET', sims: '250' }, SUBSCRIBER: {} })).toBe(true);
    expect(attributesSatisfied(rows, { ACCOUNT: { segment: 'FLEET', sims: 99 }, SUBSCRIBER: {} })).toBe(false);
    expect(attributesSatisfied(rows, { ACCOUNT: {}, SUBSCRIBER: { tech: 'NB-IOT' } })).toBe(true);
    expect(evaluateOrderLine({ candidate: offer('a', { attributes: rows }), held: [] }).rule).toBe('ATTRIBUTE_PREREQUISITE');
  });

  it('compares numbers as numbers and text as text', () => {
    expect(termHolds('10', '>', 9)).toBe(true);
    expect(termHolds('b', '>', 'a')).toBe(true);
    expect(termHolds(undefined, '!=', 'x')).toBe(false);
  });
});

describe('plan transitions', () => {
  it('no transition rule allows any target; a rule allows only what it lists', () => {
    expect(evaluateTransition(offer('p1'), offer('p2')).allowed).toBe(true);
    const p1 = offer('p1', { transition: list(['p2']) });
    expect(evaluateTransition(p1, offer('p2')).allowed).toBe(true);
    expect(evaluateTransition(p1, offer('p3'))).toMatchObject({ allowed: false, rule: 'TRANSITION' });
  });

  it('allowing an offer does not allow a bundle (explicit OR)', () => {
    expect(evaluateTransition(offer('p1', { transition: list(['p2']) }), bundle('p2')).allowed).toBe(false);
  });

  it('the current bundle\'s rule takes precedence over the offer\'s', () => {
    const p1 = offer('p1', { transition: list(['p2']) });
    const b = bundle('b1', { transition: list(['p3']) });
    expect(evaluateTransition(p1, offer('p2'), b).allowed).toBe(false);
    expect(evaluateTransition(p1, offer('p3'), b).allowed).toBe(true);
    expect(evaluateTransition(p1, offer('p2'), bundle('b2')).allowed).toBe(true);
  });

  it('moving to the same plan is refused', () => {
    expect(evaluateTransition(offer('p1'), offer('p1')).rule).toBe('SAME_OFFER');
  });
});

describe('dangling add-ons', () => {
  it('refuses a change that leaves an add-on without its prerequisite, unless it goes too', () => {
    const addon = offer('addon', { prerequisite: list(['p1']) });
    expect(danglingAfter([offer('p1'), addon], ['p1'], [offer('p2')])?.id).toBe('addon');
    expect(danglingAfter([offer('p1'), addon], ['p1', 'addon'], [offer('p2')])).toBeNull();
  });
});
