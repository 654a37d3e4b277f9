import { chain, rule, shield, type IRules } from 'graphql-shield';
import type { GraphQLResolveInfo } from 'graphql';
import { CodedError, forbidden, mfaRequired, unauthenticated } from './errors';
import { callerOf, type AuthContext } from './context';
import type { Role } from './principal';

/** A rule or a combination of rules (chain, and, or). */
export type ShieldRule = Parameters<typeof chain>[number];
/** Per type: one rule for the whole type, or a rule per field (`'*'` for the rest). */
export type RuleTree = Record<string, ShieldRule | Record<string, ShieldRule>>;

type RuleBody = (
  parent: any,
  args: Record<string, unknown>,
  ctx: AuthContext,
  info: GraphQLResolveInfo,
) => boolean | CodedError | Promise<boolean | CodedError>;

const rulesByName = new Map<string, { rule: ShieldRule; source: string }>();

/**
 * A shield rule that logs its own failures: shield turns a throwing rule into a silent denial,
 * which would hide a broken rule behind a plausible FORBIDDEN. A name stands for one behaviour
 * process-wide: shield caches results by name, and all subgraphs share one process in tests and
 * tools/stack. Asking again with the same body (as factories such as `hasRole` do, with their
 * parameters in the name) returns the rule made first; another body under a taken name throws.
 */
export function guard(name: string, body: RuleBody, cache: 'contextual' | 'strict' | 'no_cache' = 'contextual'): ShieldRule {
  const source = body.toString();
  const existing = rulesByName.get(name);
  if (existing) {
    if (existing.source !== source) throw new Error(`shield rule "${name}" is already registered with another body; give this rule its own name`);
    return existing.rule;
  }
  const created = rule(name, { cache })(async (parent, args, ctx: AuthContext, info) => {
    try {
      return await body(parent, args, ctx, info);
    } catch (error) {
      if (error instanceof CodedError) return error;
      ctx.logger.error({ rule: name, requestId: ctx.requestId, error }, 'shield rule failed');
      return false;
    }
  });
  rulesByName.set(name, { rule: created, source });
  return created;
}

export const isAuthenticated = guard('isAuthenticated', (_p, _a, ctx) => (ctx.principal ? true : unauthenticated()));

export const isRouter = guard('isRouter', (_p, _a, ctx) => ctx.fromRouter);

/** The caller is a person acting for themselves: not an API key, not a support session. */
export const isUserItself = chain(
  isAuthenticated,
  guard('isUserItself', (_p, _a, ctx) => callerOf(ctx).kind === 'USER'),
);

export function hasRole(...roles: readonly Role[]): ShieldRule {
  return chain(
    isAuthenticated,
    guard(`hasRole(${[...roles].sort().join(',')})`, (_p, _a, ctx) => roles.includes(callerOf(ctx).role)),
  );
}

/**
 * Type-level rule for tenant-owned entities: the object must belong to the caller's tenant.
 * It also guards entities reached through `_entities`, which no Query rule sees.
 */
export const belongsToCallerTenant = guard(
  'belongsToCallerTenant',
  (parent: { tenantId?: string } | null, _a, ctx) => {
    if (!ctx.principal) return unauthenticated();
    return parent?.tenantId === ctx.principal.tenantId;
  },
  'no_cache',
);

/** Root fields an enrolment-only token may call (contract README, "MFA"). */
export const ENROLMENT_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'viewer',
  'startTotpEnrollment',
  'confirmTotpEnrollment',
  'refreshSession',
  'logout',
]);

/** The one change a support session may make. */
export const SUPPORT_MUTATIONS: ReadonlySet<string> = new Set(['endSupportSession']);

const fullScopeFor = (field: string) =>
  guard(`fullScope(${field})`, (_p, _a, ctx) =>
    !ctx.principal || ctx.principal.scope === 'full' || ENROLMENT_ROOT_FIELDS.has(field) ? true : mfaRequired(),
  );

const notSupportFor = (field: string) =>
  guard(`notSupport(${field})`, (_p, _a, ctx) =>
    ctx.principal?.kind !== 'SUPPORT' || SUPPORT_MUTATIONS.has(field) ? true : forbidden('A support session is read-only'),
  );

/**
 * Rules for the federation fields Apollo adds: `_service` always, `_entities` only in a
 * subgraph that has entities (shield refuses rules for fields a schema lacks).
 */
const federationRules = (hasEntities: boolean) => ({
  Query: (hasEntities ? { _service: isRouter, _entities: isRouter } : { _service: isRouter }) as Record<string, ShieldRule>,
  _Service: isRouter,
});

/**
 * The complete rule tree of a subgraph: its own rules, the federation fields, and the two
 * restrictions that hold for every root field whatever its own rule says (an enrolment-only
 * token reaches only the enrolment fields; a support session changes nothing).
 */
export function completeRuleTree(tree: RuleTree, hasEntities = true): RuleTree {
  const withRestrictions = (fields: Record<string, ShieldRule> | undefined, isMutation: boolean) =>
    Object.fromEntries(
      Object.entries(fields ?? {}).map(([field, fieldRule]) => {
        const restrictions = isMutation ? [fullScopeFor(field), notSupportFor(field)] : [fullScopeFor(field)];
        return [field, chain(...restrictions, fieldRule)];
      }),
    );
  const { Query, Mutation, ...types } = tree as Record<string, Record<string, ShieldRule>>;
  const federation = federationRules(hasEntities);
  return {
    ...types,
    ...federation,
    Query: { ...withRestrictions(Query, false), ...federation.Query },
    ...(Mutation ? { Mutation: withRestrictions(Mutation, true) } : {}),
  };
}

/** Shield with default deny and coded errors, as DESIGN.md requires. */
export function permissions(tree: RuleTree, hasEntities: boolean) {
  return shield(completeRuleTree(tree, hasEntities) as IRules, {
    fallbackRule: guard('denyByDefault', () => false),
    allowExternalErrors: true,
    fallbackError: () => forbidden(),
    debug: false,
  });
}

export { allow, chain, and, or, not, deny } from 'graphql-shield';
