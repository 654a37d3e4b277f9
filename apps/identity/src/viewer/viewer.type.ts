import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { PRINCIPAL_KINDS, type PrincipalKind, type Role } from '@compliance-graph/auth';
import { RoleEnum } from '../membership/membership.entity';

export const PrincipalKindEnum = Object.fromEntries(PRINCIPAL_KINDS.map((k) => [k, k])) as {
  [K in PrincipalKind]: K;
};
registerEnumType(PrincipalKindEnum, { name: 'PrincipalKind' });

/** Who the caller is, as its token says. */
@ObjectType('Viewer')
export class Viewer {
  @Field(() => PrincipalKindEnum)
  principalKind!: PrincipalKind;

  @Field(() => RoleEnum)
  role!: Role;

  tenantId!: string;
  /** Set for USER and SUPPORT principals. */
  userId!: string | null;
  /** Set for API_KEY principals. */
  apiKeyId!: string | null;
}
