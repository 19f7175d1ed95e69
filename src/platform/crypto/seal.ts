import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/**
 * Encryption at rest for small secrets (TOTP seeds, SIM Ki/OPc): AES-256-GCM with data keys from the
 * ENCRYPTION_KEYS setting ("id:base64(32 bytes)", comma-separated; the first one encrypts, all of them
 * decrypt). A sealed value remembers the id of its key, so keys rotate by putting a new key first and
 * re-sealing old values at leisure (`needsReseal`), without a flag day.
 */
export interface KeyRing {
  /** The id new values are sealed with. */
  primary: string;
  keys: ReadonlyMap<string, Buffer>;
}

export interface Sealed {
  keyId: string;
  /** iv (12 bytes) | auth tag (16 bytes) | ciphertext */
  blob: Buffer;
}

const IV = 12;
const TAG = 16;

// IVs come from a pool filled in bulk: one CSPRNG call per 512 IVs instead of one per value (a bulk SIM load
// seals two million values; per-call randomBytes cost more than the cipher itself). Every IV is still random.
const ivPool = Buffer.alloc(IV * 512);
let ivNext = ivPool.length;
function nextIv(): Buffer {
  if (ivNext + IV > ivPool.length) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  return Buffer.from(ivPool.subarray(ivNext, (ivNext += IV)));
}

/** Parses ENCRYPTION_KEYS; throws naming the bad entry. */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let primary: string | undefined;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    const id = at > 0 ? part.slice(0, at) : '';
    if (!/^[\w.-]{1,32}$/.test(id)) throw new Error(`ENCRYPTION_KEYS: entry "${part.slice(0, 40)}" needs the form id:base64key`);
    const key = Buffer.from(part.slice(at + 1), 'base64');
    if (key.length !== 32) throw new Error(`ENCRYPTION_KEYS: key ${id} must be 32 bytes of base64 (it is ${key.length})`);
    if (keys.has(id)) throw new Error(`ENCRYPTION_KEYS: key id ${id} appears twice`);
    keys.set(id, key);
    primary ??= id;
  }
  if (!primary) throw new Error('ENCRYPTION_KEYS: no key given');
  return { primary, keys };
}

/**
 * Encrypts with the primary key. `context` (e.g. the owning row's id) is bound as associated data, so a
 * sealed value copied onto another row does not open there.
 */
export function seal(plaintext: Buffer | string, ring: KeyRing, context = ''): Sealed {
  const key = ring.keys.get(ring.primary)!;
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return { keyId: ring.primary, blob: Buffer.concat([iv, cipher.getAuthTag(), body]) };
}

/** Decrypts; throws if the key id is unknown or the value was tampered with (or sealed for another context). */
export function open(sealed: Sealed, ring: KeyRing, context = ''): Buffer {
  const key = ring.keys.get(sealed.keyId);
  if (!key) throw new Error(`encryption key ${sealed.keyId} is not in ENCRYPTION_KEYS`);
  if (sealed.blob.length < IV + TAG) throw new Error('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.blob.subarray(0, IV));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(sealed.blob.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(sealed.blob.subarray(IV + TAG)), decipher.final()]);
}

export function openString(sealed: Sealed, ring: KeyRing, context = ''): string {
  return open(sealed, ring, context).toString('utf8');
}

/** True when a value was sealed with a key other than the primary one (a rotation job re-seals it). */
export function needsReseal(sealed: Pick<Sealed, 'keyId'>, ring: KeyRing): boolean {
  return sealed.keyId !== ring.primary;
}
