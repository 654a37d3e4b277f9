import { UserReference, buildFederatedSchema, type ResolverInstances } from '@compliance-graph/federation';
import { AuditEventEntity } from './event/event.entity';
import { auditEventReference } from './event/event.reference';
import { AUDIT_INPUT_LIMITS } from './input-limits';
import { LogResolver } from './log/log.resolver';
import { NoticeTrailResolver } from './notice/notice.resolver';
import { noticeReference } from './notice/notice.reference';
import { SubprocessorChangeNoticeTrail } from './notice/notice.types';
import { auditRules } from './permissions';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';
import { EvidenceTrailResolver, MembershipTrailResolver } from './trail/trail.resolver';
import { trailReferences } from './trail/trail.reference';
import { EvidenceTrail, MembershipTrail } from './trail/trail.types';

const auditResolvers = [AuditPublicKeyResolver, LogResolver, EvidenceTrailResolver, MembershipTrailResolver, NoticeTrailResolver] as const;

export function buildAuditSchema(instances?: ResolverInstances<typeof auditResolvers>) {
  return buildFederatedSchema({
    resolvers: auditResolvers,
    orphanedTypes: [AuditEventEntity, UserReference, EvidenceTrail, MembershipTrail, SubprocessorChangeNoticeTrail],
    references: { ...auditEventReference, ...trailReferences, ...noticeReference },
    rules: auditRules,
    inputLimits: AUDIT_INPUT_LIMITS,
    instances,
  });
}
