import { createPublicKey, verify } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { ProofpackSigner } from './proofpack-signer';

describe('proofpack signing keys', () => {
  it('sign with the first configured key and publish every one, so packs signed before a rotation keep verifying', async () => {
    const [current, previous] = [await generateSigningKey(), await generateSigningKey()];
    const beforeRotation = new ProofpackSigner(JSON.stringify([previous]));
    const afterRotation = new ProofpackSigner(JSON.stringify([current, previous]));
    const manifest = Buffer.from('{"format":"compliance-graph/proofpack/v1"}');
    const oldSignature = beforeRotation.sign(manifest);

    expect(afterRotation.keyId).toBe(current.kid);
    expect(afterRotation.published.map((key) => key.keyId)).toEqual([current.kid, previous.kid]);
    const published = (kid: string) => createPublicKey({ key: afterRotation.published.find((key) => key.keyId === kid)!.publicKeyJwk as never, format: 'jwk' });
    expect(verify(null, manifest, published(previous.kid), Buffer.from(oldSignature, 'base64'))).toBe(true);
    expect(verify(null, manifest, published(current.kid), Buffer.from(afterRotation.sign(manifest), 'base64'))).toBe(true);
    expect(verify(null, manifest, published(current.kid), Buffer.from(oldSignature, 'base64'))).toBe(false);
    expect(afterRotation.published.every((key) => !('d' in key.publicKeyJwk))).toBe(true);
  });
});
