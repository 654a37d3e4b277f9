import { buildFederatedSchema, type ResolverInstances } from '@compliance-graph/federation';
import { ChangeResolver } from './change/change.resolver';
import { changeReference } from './change/change.reference';
import { SUBPROCESSORS_INPUT_LIMITS } from './input-limits';
import { ChangeNoticeResolver, NoticeResolver } from './notice/notice.resolver';
import { noticeReference } from './notice/notice.reference';
import { ObjectionResolver } from './objection/objection.resolver';
import { subprocessorsRules } from './permissions';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { subprocessorReference } from './subprocessor/subprocessor.reference';
import { WebhookResolver } from './webhook/webhook.resolver';

const subprocessorsResolvers = [SubprocessorResolver, ChangeResolver, ObjectionResolver, WebhookResolver, ChangeNoticeResolver, NoticeResolver] as const;

export function buildSubprocessorsSchema(instances?: ResolverInstances<typeof subprocessorsResolvers>) {
  return buildFederatedSchema({
    resolvers: subprocessorsResolvers,
    references: { ...subprocessorReference, ...changeReference, ...noticeReference },
    rules: subprocessorsRules,
    inputLimits: SUBPROCESSORS_INPUT_LIMITS,
    instances,
  });
}
