import type { ContainerType } from 'type-graphql';
import { buildFederatedSchema } from '@compliance-graph/federation';
import { auditRules } from './permissions';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';

export const auditResolvers = [AuditPublicKeyResolver] as const;

export function buildAuditSchema(container?: ContainerType) {
  return buildFederatedSchema({
    resolvers: [...auditResolvers],
    rules: auditRules,
    container,
  });
}
