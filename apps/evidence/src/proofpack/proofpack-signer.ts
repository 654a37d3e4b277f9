import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { Field, ObjectType } from 'type-graphql';
import { parseSigningKeys } from '@compliance-graph/auth';
import { JSONObjectScalar } from '@compliance-graph/federation';

/** A published proofpack verification key: old ones stay listed after a rotation, so old packs keep verifying. */
@ObjectType('ProofpackSigningKey')
export class ProofpackSigningKey {
  @Field()
  keyId!: string;

  @Field()
  algorithm!: string;

  @Field(() => JSONObjectScalar)
  publicKeyJwk!: Record<string, unknown>;
}

/** Signs manifests with the first of PROOFPACK_SIGNING_KEYS (private Ed25519 JWKs) and publishes all of them. */
export class ProofpackSigner {
  private readonly privateKey: KeyObject;
  readonly keyId: string;
  readonly published: ProofpackSigningKey[];

  constructor(keysJson: string) {
    const keys = parseSigningKeys(keysJson);
    this.privateKey = createPrivateKey({ key: keys[0] as never, format: 'jwk' });
    this.keyId = keys[0].kid;
    this.published = keys.map((key) => {
      const { kty, crv, x } = createPublicKey({ key: key as never, format: 'jwk' }).export({ format: 'jwk' });
      return Object.assign(new ProofpackSigningKey(), { keyId: key.kid, algorithm: 'Ed25519', publicKeyJwk: { kty, crv, x, kid: key.kid, alg: 'EdDSA', use: 'sig' } });
    });
  }

  /** Base64 Ed25519 signature over exactly these bytes. */
  sign(bytes: Buffer): string {
    return sign(null, bytes, this.privateKey).toString('base64');
  }

  get currentKey(): ProofpackSigningKey {
    return this.published[0];
  }
}
