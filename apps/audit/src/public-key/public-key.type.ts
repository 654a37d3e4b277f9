import { Field, ObjectType } from 'type-graphql';
import type { SigningKey } from '@compliance-graph/auth';
import { JSONObjectScalar } from '@compliance-graph/federation';

/** A checkpoint verification key; the verifier CLI reads `publicKeyJwk` as its key file. */
@ObjectType('AuditPublicKey')
export class AuditPublicKey {
  @Field()
  keyId!: string;

  @Field()
  algorithm!: string;

  @Field(() => JSONObjectScalar)
  publicKeyJwk!: Record<string, unknown>;

  static of(key: SigningKey): AuditPublicKey {
    return Object.assign(new AuditPublicKey(), { keyId: key.kid, algorithm: 'Ed25519', publicKeyJwk: key.publicJwk });
  }
}
