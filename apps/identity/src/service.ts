import { importSigningKey, localKeySet, parseEncryptionKey, parseSigningKeys } from '@compliance-graph/auth';
import { startSubgraphService } from '@compliance-graph/runtime';
import { ACCESS_REVIEW_REPORT } from '@compliance-graph/internal-api';
import { auditIngestConsumer, internalApiConsumer } from '@compliance-graph/outbox';
import type { IdentityConfig } from './config';
import { ApiKeyResolver } from './api-key/api-key.resolver';
import { ApiKeyService } from './api-key/api-key.service';
import { identityEntities } from './entities';
import { mountDirectoryRoutes } from './internal/directory.routes';
import { mountInternalRoutes } from './internal/internal.routes';
import { InvitationResolver } from './invitation/invitation.resolver';
import { InvitationService } from './invitation/invitation.service';
import { mountJwks } from './jwks/jwks.route';
import { createIdentityLoaders } from './loaders';
import { MembershipResolver } from './membership/membership.resolver';
import { MembershipService } from './membership/membership.service';
import { MfaResolver } from './mfa/mfa.resolver';
import { MfaService } from './mfa/mfa.service';
import { buildIdentitySchema } from './schema';
import { AccessReviewItemResolver, AccessReviewResolver } from './access-review/access-review.resolver';
import { AccessReviewService } from './access-review/access-review.service';
import { SessionResolver } from './session/session.resolver';
import { LoginService } from './session/login.service';
import { SessionIssuer } from './session/session-issuer';
import { SessionLiveness } from './session/session-liveness';
import { SessionService } from './session/session.service';
import { TokenIssuer } from './session/token-issuer';
import { SupportResolver } from './support/support.resolver';
import { SupportService } from './support/support.service';
import { TenantResolver } from './tenant/tenant.resolver';
import { TenantService } from './tenant/tenant.service';
import { LoginThrottle } from './throttle/login-throttle';
import { UserResolver } from './user/user.resolver';
import { UserService } from './user/user.service';
import { ViewerResolver } from './viewer/viewer.resolver';

export const IDENTITY_SCHEMA = 'identity';

/** Starts the identity subgraph; it signs access tokens, so it verifies them with its own keys. */
export async function startIdentityService(config: IdentityConfig) {
  const keys = await Promise.all(parseSigningKeys(config.JWT_SIGNING_KEYS).map(importSigningKey));
  const encryptionKey = parseEncryptionKey(config.ENCRYPTION_KEY);
  return startSubgraphService(config, {
    service: 'identity',
    databaseSchema: IDENTITY_SCHEMA,
    entities: identityEntities,
    tokenKeys: localKeySet(keys),
    outbox:
      config.OUTBOX_RELAY === 'on'
        ? {
            consumers: [
              auditIngestConsumer(config.AUDIT_URL, config.INTERNAL_SERVICE_TOKEN),
              internalApiConsumer(ACCESS_REVIEW_REPORT, config.EVIDENCE_URL, config.EVIDENCE_REPORT_TOKEN),
            ],
            pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          }
        : undefined,
    wire: async (db, { verifyAccessToken, logger }) => {
      const issuer = new TokenIssuer(
        keys[0],
        { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
        config.ACCESS_TOKEN_TTL_SECONDS,
        config.REFRESH_TOKEN_TTL_SECONDS,
      );
      const throttle = new LoginThrottle(db, {
        accountLimit: config.LOGIN_THROTTLE_ACCOUNT_LIMIT,
        addressLimit: config.LOGIN_THROTTLE_ADDRESS_LIMIT,
        userLimit: config.LOGIN_THROTTLE_USER_LIMIT,
        signUpAddressLimit: config.SIGNUP_THROTTLE_ADDRESS_LIMIT,
        windowSeconds: config.LOGIN_THROTTLE_WINDOW_SECONDS,
        baseBlockSeconds: config.LOGIN_THROTTLE_BASE_SECONDS,
      });
      const mfa = new MfaService(db, encryptionKey, throttle, config.RECENT_SIGN_IN_SECONDS);
      const sessions = new SessionIssuer(issuer);
      const liveness = new SessionLiveness(db);
      const apiKeys = new ApiKeyService(db, issuer);
      const support = new SupportService(db, sessions, liveness);
      const schema = await buildIdentitySchema([
        new ViewerResolver(),
        new TenantResolver(new TenantService(db, sessions, throttle)),
        new UserResolver(new UserService(db, throttle)),
        new MembershipResolver(new MembershipService(db)),
        new SessionResolver(new LoginService(db, sessions, throttle, mfa), new SessionService(db, sessions, liveness)),
        new MfaResolver(mfa),
        new InvitationResolver(new InvitationService(db, sessions, mfa, throttle, config.INVITATION_TTL_SECONDS)),
        new ApiKeyResolver(apiKeys),
        new SupportResolver(support),
        new AccessReviewResolver(new AccessReviewService(db)),
        new AccessReviewItemResolver(),
      ]);
      return {
        schema,
        createLoaders: (principal) => createIdentityLoaders(db, principal),
        routes: (app) => {
          mountJwks(app, keys);
          mountInternalRoutes(app, {
            routerSecret: config.ROUTER_SECRET,
            verifyAccessToken,
            isLive: (principal) => (principal.kind === 'API_KEY' ? apiKeys.isLive(principal) : liveness.isLive(principal)),
            exchangeApiKey: (key) => apiKeys.exchange(key),
            recordSupportRequest: (principal, caller, request) => support.recordRequest(principal, caller, request),
            logger,
          });
          mountDirectoryRoutes(app, { db, subprocessorsToken: config.SUBPROCESSORS_DIRECTORY_TOKEN, logger });
        },
      };
    },
  });
}
