import type { ContainerType } from 'type-graphql';
import { buildFederatedSchema } from '@compliance-graph/federation';
import { subprocessorsEntities } from './entities';
import { subprocessorsRules } from './permissions';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { subprocessorReference } from './subprocessor/subprocessor.reference';

export const subprocessorsResolvers = [SubprocessorResolver] as const;

export function buildSubprocessorsSchema(container?: ContainerType) {
  return buildFederatedSchema({
    resolvers: [...subprocessorsResolvers],
    orphanedTypes: subprocessorsEntities,
    references: { ...subprocessorReference },
    rules: subprocessorsRules,
    container,
  });
}
