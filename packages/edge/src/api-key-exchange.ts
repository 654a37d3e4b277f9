import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { API_KEY_EXCHANGE, callInternalApi } from '@compliance-graph/internal-api';

/** Exchange again this long before the cached token expires, so no request carries a dying token. */
const RENEW_BEFORE_MS = 30_000;
/** Keys whose token is remembered at once; the least recently used go first. */
const MAX_KEYS = 10_000;

export const isApiKey = (credential: string) => credential.startsWith('cgk_');

/**
 * Partners send `cgk_...` keys; subgraphs only understand access tokens. The gateway trades a
 * key for a short-lived token at identity and keeps it until shortly before it expires
 * (indexed by the key's hash, never the key); concurrent requests with one key share one
 * exchange. Revocation still bites within seconds: the session check asks identity about the
 * key behind every token.
 */
export class ApiKeyExchange {
  private readonly tokens: LRUCache<string, string, string>;

  constructor(identityUrl: string, routerSecret: string) {
    this.tokens = new LRUCache({
      max: MAX_KEYS,
      fetchMethod: async (_id, _stale, { context: key, options }) => {
        const issued = await callInternalApi(identityUrl, API_KEY_EXCHANGE, { bearer: key, routerSecret });
        // A token too close to its expiry to keep is used once and not remembered.
        options.ttl = Math.max(1, Date.parse(issued.expiresAt) - RENEW_BEFORE_MS - Date.now());
        return issued.accessToken;
      },
    });
  }

  async exchange(key: string): Promise<string> {
    const token = await this.tokens.fetch(createHash('sha256').update(key).digest('base64url'), { context: key });
    if (!token) throw new Error('the API key exchange answered no token');
    return token;
  }
}
