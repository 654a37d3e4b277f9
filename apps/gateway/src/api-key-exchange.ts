import { createHash } from 'node:crypto';
import { askIdentity } from './identity-internal';

const EXCHANGE_PATH = '/internal/api-keys/exchange';
/** Exchange again this long before the cached token expires, so no request carries a dying token. */
const RENEW_BEFORE_MS = 30_000;
const PRUNE_ABOVE = 10_000;

export const isApiKey = (credential: string) => credential.startsWith('cgk_');

/**
 * Partners send `cgk_...` keys; subgraphs only understand access tokens. The gateway trades a
 * key for a short-lived token at identity and keeps it until shortly before it expires
 * (indexed by the key's hash, never the key). Revocation still bites within seconds: the
 * session check asks identity about the key behind every token.
 */
export class ApiKeyExchange {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly identityUrl: string,
    private readonly routerSecret: string,
  ) {}

  async exchange(key: string): Promise<string> {
    const id = createHash('sha256').update(key).digest('base64url');
    const now = Date.now();
    const cached = this.tokens.get(id);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > now) return cached.token;
    const issued = await askIdentity<{ accessToken: string; expiresAt: string }>(this.identityUrl, EXCHANGE_PATH, key, this.routerSecret);
    if (this.tokens.size > PRUNE_ABOVE) {
      for (const [k, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(k);
    }
    this.tokens.set(id, { token: issued.accessToken, expiresAt: Date.parse(issued.expiresAt) });
    return issued.accessToken;
  }
}
