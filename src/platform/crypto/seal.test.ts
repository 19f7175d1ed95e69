import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { needsReseal, open, openString, parseKeyRing, seal } from './seal';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');

describe('seal / open', () => {
  it('round-trips and never stores the plaintext', () => {
    const ring = parseKeyRing(`1:${k1}`);
    const s = seal('JBSWY3DPEHPK3PXP', ring, 'user-1');
    expect(s.keyId).toBe('1');
    expect(s.blob.toString('latin1')).not.toContain('JBSWY3DPEHPK3PXP');
    expect(openString(s, ring, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    // A fresh IV each time: the same plaintext seals differently.
    expect(seal('JBSWY3DPEHPK3PXP', ring, 'user-1').blob.equals(s.blob)).toBe(false);
  });

  it('refuses tampered values and values moved to another context', () => {
    const ring = parseKeyRing(`1:${k1}`);
    const s = seal(Buffer.from([1, 2, 3, 4]), ring, 'sim-A');
    expect(() => open(s, ring, 'sim-B')).toThrow();
    const bad = Buffer.from(s.blob);
    bad[bad.length - 1] ^= 1;
    expect(() => open({ keyId: '1', blob: bad }, ring, 'sim-A')).toThrow();
  });

  it('rotates by key id: new key first, old values still open, and are flagged for re-sealing', () => {
    const old = parseKeyRing(`1:${k1}`);
    const sealedOld = seal('secret', old);
    const rotated = parseKeyRing(`2:${k2},1:${k1}`);
    expect(openString(sealedOld, rotated)).toBe('secret');
    expect(needsReseal(sealedOld, rotated)).toBe(true);
    const fresh = seal('secret', rotated);
    expect(fresh.keyId).toBe('2');
    expect(needsReseal(fresh, rotated)).toBe(false);
    // Once key 1 is retired, its values no longer open: re-seal before removing a key.
    expect(() => open(sealedOld, parseKeyRing(`2:${k2}`))).toThrow(/key 1 is not in ENCRYPTION_KEYS/);
  });

  it('rejects malformed key lists, naming the entry', () => {
    expect(() => parseKeyRing('')).toThrow(/no key/);
    expect(() => parseKeyRing('abc')).toThrow(/id:base64key/);
    expect(() => parseKeyRing(`1:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`1:${k1},1:${k2}`)).toThrow(/twice/);
  });
});
