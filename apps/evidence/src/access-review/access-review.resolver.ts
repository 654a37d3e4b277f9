import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import { EvidenceEntity } from '../evidence/evidence.entity';
import type { EvidenceLoaders } from '../loaders';
import { AccessReviewReportEntity } from './access-review-report.entity';

@Resolver(() => AccessReviewReportEntity)
export class AccessReviewResolver {
  @FieldResolver(() => EvidenceEntity, { nullable: true, description: 'the report, SYSTEM evidence approved by the review (OWNER, ADMIN, AUDITOR)' })
  evidence(@Root() report: AccessReviewReportEntity, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return ctx.loaders.evidence.load(report.evidenceId);
  }
}
