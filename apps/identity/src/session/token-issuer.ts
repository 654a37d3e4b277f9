import { signAccessToken, type Principal, type SigningKey, type TokenAudience } from '@compliance-graph/auth';
import { newSecretToken } from '../secret-token';

const REFRESH_TOKEN_PREFIX = 'cgr_';

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

/** Signs access tokens with the first configured key and mints opaque refresh tokens. */
export class TokenIssuer {
  constructor(
    private readonly signingKey: SigningKey,
    private readonly audience: TokenAudience,
    private readonly accessTtlSeconds: number,
    readonly refreshTtlSeconds: number,
  ) {}

  /** Valid for the configured lifetime, or until `notAfter` when that comes first. */
  accessToken(principal: Principal, notAfter?: Date): Promise<IssuedAccessToken> {
    const untilLimit = notAfter ? Math.floor((notAfter.getTime() - Date.now()) / 1000) : Infinity;
    return signAccessToken(this.signingKey, principal, this.audience, Math.max(1, Math.min(this.accessTtlSeconds, untilLimit)));
  }

  newRefreshToken(): { token: string; hash: Buffer } {
    return newSecretToken(REFRESH_TOKEN_PREFIX);
  }
}
