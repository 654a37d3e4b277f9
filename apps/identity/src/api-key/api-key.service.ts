import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { badUserInput, notFound, unauthenticated, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { hashSecretToken } from '../secret-token';
import type { IssuedAccessToken, TokenIssuer } from '../session/token-issuer';
import { assertText } from '../validation';
import { changeApiKeys } from './api-key-changes';
import { API_KEY_ROLES, ApiKeyEntity } from './api-key.entity';
import { findApiKeyByHash } from './api-key.store';
import { CreatedApiKey, type CreateApiKeyInput } from './api-key.types';

const MAX_LIFETIME_MS = 365 * 86400_000;
/** A key in use is written to at most once a minute, not on every request. */
const LAST_USED_RESOLUTION = '1 minute';
const KEY_FORMAT = /^cgk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const BAD_KEY = 'Invalid, expired or revoked API key';

export class ApiKeyService {
  constructor(
    private readonly db: DataSource,
    private readonly issuer: TokenIssuer,
  ) {}

  /** `cgk_<prefix>_<secret>`: 48 bits of public prefix, 256 bits of secret; only the SHA-256 of the whole key is kept. */
  async create(principal: Principal, caller: Caller, input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const name = assertText(input.name, 'name', 'CreateApiKeyInput.name');
    if (!API_KEY_ROLES.includes(input.role)) throw badUserInput(`role must be one of ${API_KEY_ROLES.join(', ')}`);
    const expiresAt = new Date(input.expiresAt);
    const now = Date.now();
    if (!(expiresAt.getTime() > now) || expiresAt.getTime() > now + MAX_LIFETIME_MS) {
      throw badUserInput('expiresAt must be in the future and at most 365 days ahead');
    }
    const prefix = `cgk_${randomBytes(6).toString('hex')}`;
    const secret = `${prefix}_${randomBytes(32).toString('base64url')}`;
    return withTenant(this.db, principal, async (tx) => {
      const apiKey = tx.create(ApiKeyEntity, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        name,
        role: input.role,
        prefix,
        secretHash: hashSecretToken(secret),
        createdById: principal.subjectId,
        createdAt: new Date(now),
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
      });
      await tx.insert(ApiKeyEntity, apiKey);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'api_key.created',
        subjectType: 'ApiKey',
        subjectId: apiKey.id,
        data: { name, role: input.role, prefix, expiresAt: expiresAt.toISOString() },
      });
      return Object.assign(new CreatedApiKey(), { apiKey, secret });
    });
  }

  list(principal: Principal): Promise<ApiKeyEntity[]> {
    return withTenant(this.db, principal, (tx) => tx.find(ApiKeyEntity, { order: { createdAt: 'DESC', id: 'ASC' } }));
  }

  async revoke(principal: Principal, caller: Caller, id: string): Promise<ApiKeyEntity> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const apiKey = await tx.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!apiKey) throw notFound('No such API key');
      if (!apiKey.revokedAt) await changeApiKeys(tx, caller, apiKey.tenantId, { revocations: [apiKey] });
      return apiKey;
    });
  }

  /**
   * Trades a key for a short-lived access token (kind API_KEY, `sub` and `sid` the key's id),
   * never outliving the key. Unknown, expired and revoked keys get one answer.
   */
  async exchange(key: string): Promise<IssuedAccessToken> {
    if (!KEY_FORMAT.test(key)) throw unauthenticated(BAD_KEY);
    const hash = hashSecretToken(key);
    const found = await findApiKeyByHash(this.db, hash);
    if (!found) throw unauthenticated(BAD_KEY);
    const apiKey = await withTenant(this.db, found.tenantId, async (tx) => {
      const row = await tx.findOneBy(ApiKeyEntity, { id: found.apiKeyId });
      if (!row || row.revokedAt || row.expiresAt <= new Date()) return null;
      await tx
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ lastUsedAt: () => 'now()' })
        .where(`id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}')`, { id: row.id })
        .execute();
      return row;
    });
    if (!apiKey) throw unauthenticated(BAD_KEY);
    const principal: Principal = {
      kind: 'API_KEY',
      subjectId: apiKey.id,
      tenantId: apiKey.tenantId,
      role: apiKey.role,
      sessionId: apiKey.id,
      scope: 'full',
      mfa: false,
    };
    return this.issuer.accessToken(principal, apiKey.expiresAt);
  }

  /** Whether an API key's token still stands: the key live, with the token's role. */
  isLive(principal: Principal): Promise<boolean> {
    return withTenant(this.db, principal, async (tx) => {
      const row = await tx.findOneBy(ApiKeyEntity, { id: principal.sessionId });
      return Boolean(row && !row.revokedAt && row.expiresAt > new Date() && row.role === principal.role);
    });
  }
}
