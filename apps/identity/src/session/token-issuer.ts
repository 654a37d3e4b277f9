import { createHash, randomBytes } from 'node:crypto';
import { signAccessToken, type Principal, type SigningKey, type TokenAudience } from '@compliance-graph/auth';

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

  accessToken(principal: Principal): Promise<IssuedAccessToken> {
    return signAccessToken(this.signingKey, principal, this.audience, this.accessTtlSeconds);
  }

  /** 256 random bits; only the SHA-256 is stored, the token itself is shown once. */
  newRefreshToken(): { token: string; hash: Buffer } {
    const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return { token, hash: hashRefreshToken(token) };
  }
}

export const hashRefreshToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();
