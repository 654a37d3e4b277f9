import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badUserInput, callerOf } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import { UserReference, type RequestContext } from '@compliance-graph/federation';
import { DecisionEntity, EvidenceDecisionKind } from '../decision/decision.entity';
import type { EvidenceLoaders } from '../loaders';
import { RevisionEntity } from '../revision/revision.entity';
import { EvidenceEntity } from './evidence.entity';
import type { EvidenceService } from './evidence.service';
import { CreateEvidenceInput, EvidenceConnection, EvidenceFilter } from './evidence.types';

@Resolver(() => EvidenceEntity)
export class EvidenceResolver {
  constructor(private readonly items: EvidenceService) {}

  @Query(() => EvidenceEntity, { nullable: true })
  evidence(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.evidence.load(id);
  }

  @Query(() => EvidenceConnection)
  evidenceList(
    @Arg('filter', () => EvidenceFilter, { nullable: true }) filter: EvidenceFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<EvidenceLoaders>,
  ): Promise<EvidenceConnection> {
    return this.items.list(callerOf(ctx), filter, first, after);
  }

  @Mutation(() => EvidenceEntity, { description: 'OWNER, ADMIN, COMPLIANCE_MANAGER, MEMBER' })
  createEvidence(@Arg('input', () => CreateEvidenceInput) input: CreateEvidenceInput, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return this.items.create(callerOf(ctx), ctx, input);
  }

  @Mutation(() => EvidenceEntity, { description: 'a new version from an upload of yours; the item returns to DRAFT' })
  addEvidenceRevision(
    @Arg('evidenceId', () => ID) evidenceId: string,
    @Arg('uploadId', () => ID) uploadId: string,
    @Ctx() ctx: RequestContext<EvidenceLoaders>,
  ) {
    return this.items.addRevision(callerOf(ctx), ctx, evidenceId, uploadId);
  }

  @Mutation(() => EvidenceEntity)
  submitEvidence(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return this.items.submit(callerOf(ctx), ctx, id);
  }

  @Mutation(() => EvidenceEntity, { description: "OWNER, ADMIN, COMPLIANCE_MANAGER; never the item's creator nor its current revision's uploader" })
  decideEvidence(
    @Arg('id', () => ID) id: string,
    @Arg('decision', () => EvidenceDecisionKind) decision: EvidenceDecisionKind,
    @Arg('rationale') rationale: string,
    @Ctx() ctx: RequestContext<EvidenceLoaders>,
  ) {
    return this.items.decide(callerOf(ctx), ctx, id, decision, rationale);
  }

  @FieldResolver(() => UserReference)
  createdBy(@Root() evidence: EvidenceEntity): UserReference {
    return UserReference.of(evidence.createdById);
  }

  @FieldResolver(() => Boolean, { description: 'validUntil has passed: the item needs renewal' })
  expired(@Root() evidence: EvidenceEntity): boolean {
    return evidence.validUntil !== null && evidence.validUntil.getTime() <= Date.now();
  }

  @FieldResolver(() => [RevisionEntity], { description: 'newest first' })
  revisions(@Root() evidence: EvidenceEntity, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return ctx.loaders.revisions.load(evidence.id);
  }

  @FieldResolver(() => RevisionEntity, { nullable: true })
  async currentRevision(@Root() evidence: EvidenceEntity, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    const [newest] = await ctx.loaders.revisions.load(evidence.id);
    return newest ?? null;
  }

  @FieldResolver(() => [DecisionEntity], { description: 'oldest first' })
  decisions(@Root() evidence: EvidenceEntity, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return ctx.loaders.decisions.load(evidence.id);
  }
}
