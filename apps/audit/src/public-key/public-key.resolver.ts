import { Query, Resolver } from 'type-graphql';
import { AuditPublicKey } from './public-key.type';

@Resolver(() => AuditPublicKey)
export class AuditPublicKeyResolver {
  constructor(private readonly keys: readonly AuditPublicKey[]) {}

  @Query(() => [AuditPublicKey], {
    description: 'Every configured checkpoint signing key (old and new during rotation), public half only.',
  })
  auditPublicKeys(): readonly AuditPublicKey[] {
    return this.keys;
  }
}
