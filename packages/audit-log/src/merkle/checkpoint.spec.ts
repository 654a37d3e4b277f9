import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { EMPTY_ROOT } from './hashes';
import {
  CheckpointFormatError,
  checkpointOrigin,
  formatCheckpointBody,
  parseCheckpointBody,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointFields,
  type SignedCheckpoint,
} from './checkpoint';

const tenantId = '0b8a4f0e-8d1f-4f43-9f0c-5a8d0f2e9b02';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
// A root whose base64 uses both '+' and '/', so its base64url spelling differs.
const root = Buffer.from('fbef'.repeat(16), 'hex');
const fields: CheckpointFields = { origin: checkpointOrigin(tenantId), treeSize: 1234, rootHash: root };
const body = `compliance-graph/audit/${tenantId}\n1234\n${root.toString('base64')}\n`;

/** Replaces one line of the signed body, keeping the signature: what a forger would try. */
function withLine(checkpoint: SignedCheckpoint, line: number, text: string): SignedCheckpoint {
  const lines = checkpoint.body.split('\n');
  lines[line] = text;
  return { ...checkpoint, body: lines.join('\n') };
}

describe('checkpoint', () => {
  it('formats the body exactly as audit.graphql specifies', () => {
    expect(formatCheckpointBody(fields)).toBe(body);
  });

  it('signs and verifies, giving back the fields', () => {
    const signed = signCheckpoint(fields, privateKey);
    expect(signed.body).toBe(body);
    expect(Buffer.from(signed.signature, 'base64')).toHaveLength(64);
    expect(verifyCheckpoint(signed, publicKey)).toEqual(fields);
  });

  it('signs the empty log', () => {
    const empty = { origin: fields.origin, treeSize: 0, rootHash: EMPTY_ROOT };
    expect(verifyCheckpoint(signCheckpoint(empty, privateKey), publicKey)).toEqual(empty);
  });

  it.each([
    ['a changed size', (c: SignedCheckpoint) => withLine(c, 1, '1235')],
    ['a changed root', (c: SignedCheckpoint) => withLine(c, 2, createHash('sha256').update('another root').digest('base64'))],
    ['a changed origin', (c: SignedCheckpoint) => withLine(c, 0, checkpointOrigin('5d7c1e2a-0f3b-4c6d-8e9f-a1b2c3d4e5f6'))],
    ['a flipped signature bit', (c: SignedCheckpoint) => ({ ...c, signature: flipFirstBit(c.signature) })],
    ['a truncated signature', (c: SignedCheckpoint) => ({ ...c, signature: Buffer.from(c.signature, 'base64').subarray(0, 63).toString('base64') })],
    ['a non-canonical signature encoding', (c: SignedCheckpoint) => ({ ...c, signature: c.signature.replace(/=+$/, '') })],
    ['an empty signature', (c: SignedCheckpoint) => ({ ...c, signature: '' })],
  ])('refuses %s', (_case, tamper) => {
    expect(verifyCheckpoint(tamper(signCheckpoint(fields, privateKey)), publicKey)).toBeUndefined();
  });

  it('refuses a signature by another key', () => {
    const other = generateKeyPairSync('ed25519');
    expect(verifyCheckpoint(signCheckpoint(fields, other.privateKey), publicKey)).toBeUndefined();
  });

  it('refuses a validly signed body that is malformed', () => {
    const malformed = `${body}\n`;
    const signature = sign(null, Buffer.from(malformed, 'utf8'), privateKey).toString('base64');
    expect(verifyCheckpoint({ body: malformed, signature }, publicKey)).toBeUndefined();
  });

  it('will not sign or verify with anything but an Ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => signCheckpoint(fields, rsa.privateKey)).toThrow(TypeError);
    expect(() => verifyCheckpoint({ body, signature: '' }, rsa.publicKey)).toThrow(TypeError);
  });
});

describe('parseCheckpointBody', () => {
  it('reads back what formatCheckpointBody wrote', () => {
    expect(parseCheckpointBody(body)).toEqual(fields);
    expect(parseCheckpointBody(formatCheckpointBody({ ...fields, treeSize: 0 })).treeSize).toBe(0);
    expect(parseCheckpointBody(formatCheckpointBody({ ...fields, treeSize: Number.MAX_SAFE_INTEGER })).treeSize).toBe(Number.MAX_SAFE_INTEGER);
  });

  const rootLine = root.toString('base64');
  const origin = fields.origin;
  it.each([
    ['no trailing newline', `${origin}\n1234\n${rootLine}`],
    ['an extra trailing newline', `${origin}\n1234\n${rootLine}\n\n`],
    ['a fourth line', `${origin}\n1234\n${rootLine}\nextra\n`],
    ['two lines', `${origin}\n${rootLine}\n`],
    ['CRLF line ends', `${origin}\r\n1234\r\n${rootLine}\r\n`],
    ['the empty string', ''],
    ['another log origin', `example.com/log\n1234\n${rootLine}\n`],
    ['an origin without a tenant', `compliance-graph/audit/\n1234\n${rootLine}\n`],
    ['a tenant id with a space', `compliance-graph/audit/a b\n1234\n${rootLine}\n`],
    ['a size with a leading zero', `${origin}\n01234\n${rootLine}\n`],
    ['a size with a sign', `${origin}\n+1234\n${rootLine}\n`],
    ['a negative size', `${origin}\n-1\n${rootLine}\n`],
    ['a size with a decimal point', `${origin}\n1234.0\n${rootLine}\n`],
    ['a size in hex', `${origin}\n0x4d2\n${rootLine}\n`],
    ['a size with spaces', `${origin}\n 1234\n${rootLine}\n`],
    ['an empty size', `${origin}\n\n${rootLine}\n`],
    ['a size beyond 2^53 - 1', `${origin}\n9007199254740992\n${rootLine}\n`],
    ['a 31-byte root', `${origin}\n1234\n${root.subarray(1).toString('base64')}\n`],
    ['a 33-byte root', `${origin}\n1234\n${Buffer.concat([root, Buffer.alloc(1)]).toString('base64')}\n`],
    ['a root without padding', `${origin}\n1234\n${rootLine.replace(/=+$/, '')}\n`],
    ['a root in base64url', `${origin}\n1234\n${root.toString('base64url')}=\n`],
    ['a root in hex', `${origin}\n1234\n${root.toString('hex')}\n`],
    ['a root with a space', `${origin}\n1234\n ${rootLine}\n`],
  ])('rejects %s', (_case, malformed) => {
    expect(() => parseCheckpointBody(malformed)).toThrow(CheckpointFormatError);
  });

  it('formatCheckpointBody refuses fields it could not read back', () => {
    expect(() => formatCheckpointBody({ ...fields, origin: 'example.com/log' })).toThrow(CheckpointFormatError);
    expect(() => formatCheckpointBody({ ...fields, treeSize: -1 })).toThrow(CheckpointFormatError);
    expect(() => formatCheckpointBody({ ...fields, treeSize: 1.5 })).toThrow(CheckpointFormatError);
    expect(() => formatCheckpointBody({ ...fields, rootHash: root.subarray(1) })).toThrow(CheckpointFormatError);
    expect(() => checkpointOrigin('')).toThrow(CheckpointFormatError);
    expect(() => checkpointOrigin('a\nb')).toThrow(CheckpointFormatError);
  });
});

function flipFirstBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
}
