import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badUserInput, callerOf } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import { UserReference, type RequestContext } from '@compliance-graph/federation';
import { EvidenceEntity } from '../evidence/evidence.entity';
import type { EvidenceLoaders } from '../loaders';
import { ProofpackEntity, ProofpackStatus } from './proofpack.entity';
import { ProofpackSigningKey, type ProofpackSigner } from './proofpack-signer';
import type { ProofpackService } from './proofpack.service';

export const downloadPathOf = (id: string) => `/evidence/proofpacks/${id}/download`;

@Resolver(() => ProofpackEntity)
export class ProofpackResolver {
  constructor(
    private readonly packs: ProofpackService,
    private readonly signer: ProofpackSigner,
  ) {}

  @Query(() => [ProofpackSigningKey], { description: 'every key a proofpack may be signed with, the current one first' })
  proofpackSigningKeys(): ProofpackSigningKey[] {
    return this.signer.published;
  }

  @Query(() => ProofpackEntity, { nullable: true })
  proofpack(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.proofpack.load(id);
  }

  @Query(() => [ProofpackEntity], { description: 'newest first' })
  proofpacks(@Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return this.packs.list(callerOf(ctx));
  }

  @Mutation(() => ProofpackEntity, { description: 'OWNER, ADMIN, COMPLIANCE_MANAGER' })
  createProofpack(
    @Arg('title') title: string,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Arg('evidenceIds', () => [ID]) evidenceIds: string[],
    @Ctx() ctx: RequestContext<EvidenceLoaders>,
  ) {
    return this.packs.create(callerOf(ctx), ctx, title, description, evidenceIds);
  }

  @Mutation(() => ProofpackEntity, { description: 'only APPROVED evidence; immutable afterwards' })
  sealProofpack(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    return this.packs.seal(callerOf(ctx), ctx, id);
  }

  @FieldResolver(() => [EvidenceEntity])
  async evidence(@Root() pack: ProofpackEntity, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    const items = await ctx.loaders.proofpackItems.load(pack.id);
    const evidence = await ctx.loaders.evidence.loadMany(items.map((item) => item.evidenceId));
    return evidence.filter((item): item is EvidenceEntity => item instanceof EvidenceEntity);
  }

  @FieldResolver(() => UserReference)
  createdBy(@Root() pack: ProofpackEntity): UserReference {
    return UserReference.of(pack.createdById);
  }

  @FieldResolver(() => UserReference, { nullable: true })
  sealedBy(@Root() pack: ProofpackEntity): UserReference | null {
    return pack.sealedById ? UserReference.of(pack.sealedById) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: '"/evidence/proofpacks/<id>/download" once sealed' })
  downloadPath(@Root() pack: ProofpackEntity): string | null {
    return pack.status === ProofpackStatus.SEALED ? downloadPathOf(pack.id) : null;
  }
}
