import type { ContainerType } from 'type-graphql';
import { buildFederatedSchema } from '@compliance-graph/federation';
import { AuditEventEntity } from './event/event.entity';
import { auditEventReference } from './event/event.reference';
import { LogResolver } from './log/log.resolver';
import { auditRules } from './permissions';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';
import { UserReference } from './user/user.reference';

export const auditResolvers = [AuditPublicKeyResolver, LogResolver] as const;

export function buildAuditSchema(container?: ContainerType) {
  return buildFederatedSchema({
    resolvers: [...auditResolvers],
    orphanedTypes: [AuditEventEntity, UserReference],
    references: auditEventReference,
    rules: auditRules,
    container,
  });
}
