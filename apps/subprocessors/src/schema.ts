import { buildFederatedSchema, type ResolverInstances } from '@compliance-graph/federation';
import { subprocessorsEntities } from './entities';
import { SUBPROCESSORS_INPUT_LIMITS } from './input-limits';
import { subprocessorsRules } from './permissions';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { subprocessorReference } from './subprocessor/subprocessor.reference';
import { WebhookResolver } from './webhook/webhook.resolver';

const subprocessorsResolvers = [SubprocessorResolver, WebhookResolver] as const;

export function buildSubprocessorsSchema(instances?: ResolverInstances<typeof subprocessorsResolvers>) {
  return buildFederatedSchema({
    resolvers: subprocessorsResolvers,
    orphanedTypes: subprocessorsEntities,
    references: { ...subprocessorReference },
    rules: subprocessorsRules,
    inputLimits: SUBPROCESSORS_INPUT_LIMITS,
    instances,
  });
}
