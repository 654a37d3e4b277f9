import { Field, ID, InputType } from 'type-graphql';
import { TransferMechanism } from '../subprocessor/subprocessor.entity';
import { SubprocessorChangeKind } from './change.entity';

@InputType('SubprocessorInput')
export class SubprocessorInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  legalEntity?: string | null;

  @Field(() => String, { nullable: true, description: 'an absolute http(s) URL' })
  website?: string | null;

  @Field()
  purpose!: string;

  @Field(() => [String], { description: 'at least one' })
  dataCategories!: string[];

  @Field(() => [String], { description: 'ISO 3166-1 alpha-2 codes of processing locations' })
  locations!: string[];

  @Field(() => TransferMechanism)
  transferMechanism!: TransferMechanism;
}

@InputType('AnnounceChangeInput')
export class AnnounceChangeInput {
  @Field(() => SubprocessorChangeKind)
  kind!: SubprocessorChangeKind;

  @Field(() => ID, { nullable: true, description: 'required for UPDATED and REMOVED' })
  subprocessorId?: string | null;

  @Field(() => SubprocessorInput, { nullable: true, description: 'required for ADDED and UPDATED' })
  entry?: SubprocessorInput | null;

  @Field({ description: 'at least tenant.subprocessorNoticeDays after now' })
  effectiveAt!: Date;

  @Field(() => Date, { nullable: true, description: 'defaults to effectiveAt; between announcedAt + min(14 days, notice) and effectiveAt' })
  objectionDeadline?: Date | null;
}
