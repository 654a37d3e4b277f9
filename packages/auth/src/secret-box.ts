import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';
const KEY_BYTES = 32;
// 96-bit IVs are GCM's native size; random ones stay safe far beyond the number of secrets we seal.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Reads the configured ENCRYPTION_KEY (base64 or base64url of 32 random bytes). */
export function parseEncryptionKey(base64: string): Buffer {
  const text = base64.trim();
  // Buffer.from skips characters outside the alphabet, so a mangled key must be refused here.
  if (!BASE64_TEXT.test(text)) throw new Error('ENCRYPTION_KEY must be base64 (or base64url) text');
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`ENCRYPTION_KEY must decode to exactly ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/**
 * Encrypts a secret the server must read back later. `context` names where the value lives
 * (e.g. `totp:<userId>`) and is authenticated, so a value copied to another row will not open.
 */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  assertUsable(key, context);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const encoded = [iv, ciphertext, cipher.getAuthTag()].map((bytes) => bytes.toString('base64url'));
  return [FORMAT_VERSION, ...encoded].join('.');
}

/** Decrypts a value of `sealSecret`; throws when it is malformed, tampered with, or sealed under another key or context. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  assertUsable(key, context);
  const { iv, ciphertext, tag } = parseSealed(sealed);
  // Fixing the tag length stops a truncated tag from being accepted (GCM allows 4 to 16 bytes).
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('Sealed secret failed authentication (wrong key, wrong context or tampered)');
  }
}

function assertUsable(key: Buffer, context: string): void {
  if (key.length !== KEY_BYTES) throw new Error(`Encryption key must be exactly ${KEY_BYTES} bytes, got ${key.length}`);
  // Without a context any sealed value would open in any row, which is what the context prevents.
  if (context.length === 0) throw new Error('A sealed secret needs a non-empty context');
}

function parseSealed(sealed: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT_VERSION) throw malformed();
  const [iv, ciphertext, tag] = parts.slice(1).map(decodeCanonicalBase64url);
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw malformed();
  return { iv, ciphertext, tag };
}

// Re-encoding must give back the same text: this refuses foreign characters (which Buffer.from
// would silently drop) and gives every sealed value exactly one spelling.
function decodeCanonicalBase64url(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw malformed();
  return bytes;
}

const malformed = () => new Error(`Sealed secret is malformed (expected ${FORMAT_VERSION}.<iv>.<ciphertext>.<tag>)`);
