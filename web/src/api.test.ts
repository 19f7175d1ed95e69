import { describe, expect, it } from 'vitest';
import { ApiError, idempotencyKeyFor, queryString } from './api';

describe('ApiError', () => {
  it('maps problem+json field paths onto form field names, first reason per field', () => {
    const e = new ApiError({
      status: 422, type: 'https://opencmp.dev/problems/validation', title: 'Unprocessable Content', detail: 'the request is not valid',
      errors: [
        { field: 'body.name', reason: 'must not be empty' },
        { field: 'body.contacts.0.email', reason: 'must be an e-mail address' },
        { field: 'body.name', reason: 'second reason' },
        { field: 'query.limit', reason: 'must be at most 500' },
        { field: 'sort', reason: 'must be one of name, -name' },
      ],
    });
    expect(e.fieldErrors).toEqual({
      name: 'must not be empty', 'contacts.0.email': 'must be an e-mail address', limit: 'must be at most 500', sort: 'must be one of name, -name',
    });
    expect(e.message).toBe('the request is not valid');
  });

  it('falls back to the title and status when the server sent no detail', () => {
    expect(new ApiError({ status: 502, title: 'Bad Gateway' }).detail).toBe('Bad Gateway');
    expect(new ApiError({ status: 500 }).detail).toBe('request failed (500)');
  });
});

describe('idempotencyKeyFor', () => {
  it('is stable for one form and body, and differs when the body or the form differs', () => {
    const a = idempotencyKeyFor('form1', { name: 'Acme', customerId: 'C-1' });
    expect(idempotencyKeyFor('form1', { name: 'Acme', customerId: 'C-1' })).toBe(a);
    expect(idempotencyKeyFor('form1', { name: 'Acme', customerId: 'C-2' })).not.toBe(a);
    expect(idempotencyKeyFor('form2', { name: 'Acme', customerId: 'C-1' })).not.toBe(a);
    expect(a).toMatch(/^form1-[0-9a-f]{8}$/);
  });
});

describe('queryString', () => {
  it('drops empty filters and encodes the rest', () => {
    expect(queryString({ limit: 25, cursor: undefined, q: 'a&b', status: '', x: null })).toBe('?limit=25&q=a%26b');
    expect(queryString({})).toBe('');
    expect(queryString({ from: new Date('2026-01-02T03:04:05Z') })).toBe('?from=2026-01-02T03%3A04%3A05.000Z');
  });
});
